"""The demo company: a ~500-person lithium-battery maker, 宁川新能源, generated deterministically.
`fairmark demo` writes it and serves it; see generator.py."""
