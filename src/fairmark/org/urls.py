from django.urls import path

from .views import imports, people, structure

app_name = "org"
urlpatterns = [
    path("people/", people.PeopleListView.as_view(), name="people"),
    path("people/<int:pk>/", people.EmployeeDetailView.as_view(), name="employee"),
    path("departments/", structure.DepartmentTreeView.as_view(), name="departments"),
    path("chart/", structure.OrgChartView.as_view(), name="chart"),
    path("chart/data/", structure.OrgChartDataView.as_view(), name="chart_data"),
    path("import/", imports.ImportView.as_view(), name="import"),
]
urlpatterns += [
    path("import/<int:pk>/", imports.ImportJobView.as_view(), name="import_job"),
    path("import/<int:pk>/commit/", imports.ImportCommitView.as_view(), name="import_commit"),
    path("import/template/<str:kind>.xlsx", imports.ImportTemplateView.as_view(), name="import_template"),
    path("export/employees.<str:fmt>", imports.EmployeeExportView.as_view(), name="export_employees"),
    path("export/departments.<str:fmt>", imports.DepartmentExportView.as_view(), name="export_departments"),
]
