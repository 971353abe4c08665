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
