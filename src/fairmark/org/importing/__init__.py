"""Excel/CSV import and export of departments and employees (DESIGN.md §4 C1).

The modules split by what they need:
    columns, cells, readers, report, employees, departments   pure: no Django, tested on plain data
    messages, workbooks                                        Django translation and openpyxl output
The writes themselves are in fairmark.org.services.imports.
"""
