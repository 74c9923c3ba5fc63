from django.urls import path

from . import views

urlpatterns = [
    path("", views.framework_list, name="framework_list"),
    path("upload/", views.framework_upload, name="framework_upload"),
    path("<id:framework_id>/", views.framework_detail, name="framework_detail"),
    path("versions/<id:version_id>/", views.version_detail, name="framework_version"),
    path("versions/<id:version_id>/try/", views.version_try, name="framework_version_try"),
    path(
        "versions/<id:version_id>/xlsform/",
        views.version_xlsform,
        name="framework_version_xlsform",
    ),
    path("versions/<id:version_id>/xform/", views.version_xform, name="framework_version_xform"),
]
