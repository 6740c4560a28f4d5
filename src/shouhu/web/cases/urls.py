"""台账导入（/register/）：县级民政经办人员的页面。"""

from django.urls import path

from shouhu.web.cases import views

urlpatterns = [
    path("", views.register_home_view, name="register_home"),
    path("template/", views.register_template_view, name="register_template"),
    path("<int:import_id>/", views.register_import_view, name="register_import"),
    path("<int:import_id>/problems/", views.register_problems_view, name="register_problems"),
]
