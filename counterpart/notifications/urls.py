from django.urls import path

from . import views

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("read/", views.notification_read_all, name="notification_read_all"),
]
