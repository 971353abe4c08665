from django.urls import path

from .views import delegations, departments, imports, people, structure, users

app_name = "org"
urlpatterns = [
    path("people/", people.PeopleListView.as_view(), name="people"),
    path("people/<int:pk>/", people.EmployeeDetailView.as_view(), name="employee"),
    path("people/<int:pk>/edit/", people.EmployeeEditView.as_view(), name="employee_edit"),
    path("people/<int:pk>/transfer/", people.EmployeeTransferView.as_view(), name="employee_transfer"),
    path("delegations/", delegations.DelegationListView.as_view(), name="delegations"),
    path("delegations/<int:pk>/end/", delegations.DelegationEndView.as_view(), name="delegation_end"),
    path("departments/", structure.DepartmentTreeView.as_view(), name="departments"),
    path("departments/new/", departments.DepartmentCreateView.as_view(), name="department_new"),
    path("departments/<int:pk>/edit/", departments.DepartmentEditView.as_view(), name="department_edit"),
    path("departments/<int:pk>/move/", departments.DepartmentMoveView.as_view(), name="department_move"),
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
urlpatterns += [
    path("users/", users.UserListView.as_view(), name="users"),
    path("users/new/", users.UserCreateView.as_view(), name="user_new"),
    path("users/<int:pk>/", users.UserDetailView.as_view(), name="user"),
    path("users/<int:pk>/link/", users.UserLinkView.as_view(), name="user_link"),
    path("users/<int:pk>/unlink/", users.UserUnlinkView.as_view(), name="user_unlink"),
    path("users/<int:pk>/roles/", users.UserGrantView.as_view(), name="user_grant"),
    path("users/<int:pk>/roles/revoke/", users.UserRevokeView.as_view(), name="user_revoke"),
    path("users/<int:pk>/active/", users.UserActiveView.as_view(), name="user_active"),
    path("users/<int:pk>/2fa/reset/", users.UserTotpResetView.as_view(), name="user_totp_reset"),
    path("users/<int:pk>/password/", users.UserPasswordView.as_view(), name="user_password"),
]
