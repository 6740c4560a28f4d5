"""系统管理（/manage/）和本人修改密码（/me/password/）的页面。"""

from django.urls import path

from shouhu.web.accounts.views import jobs, organisation, own, roster, users

manage = [
    path("", own.admin_home_view, name="admin_home"),
    path("users/", users.users_view, name="admin_users"),
    path("users/export.xlsx", users.users_export_view, name="admin_users_export"),
    path("users/new/", users.user_new_view, name="admin_user_new"),
    path("users/<int:user_id>/", users.user_view, name="admin_user"),
    path("users/<int:user_id>/action/", users.user_action_view, name="admin_user_action"),
    path("agencies/", organisation.agencies_view, name="admin_agencies"),
    path("agencies/export.xlsx", organisation.agencies_export_view, name="admin_agencies_export"),
    path("agencies/new/", organisation.agency_new_view, name="admin_agency_new"),
    path("agencies/<int:agency_id>/", organisation.agency_view, name="admin_agency"),
    path("roster/", roster.roster_view, name="admin_roster"),
    path("roster/export.xlsx", roster.roster_export_view, name="admin_roster_export"),
    path("roster/new/", roster.roster_new_view, name="admin_roster_new"),
    path("roster/<int:member_id>/", roster.roster_member_view, name="admin_roster_member"),
    path(
        "roster/<int:member_id>/action/",
        roster.roster_member_action_view,
        name="admin_roster_member_action",
    ),
    path("divisions/", organisation.divisions_view, name="admin_divisions"),
    path("jobs/", jobs.jobs_view, name="admin_jobs"),
    path("jobs/export.xlsx", jobs.jobs_export_view, name="admin_jobs_export"),
    path("jobs/<int:job_id>/retry/", jobs.job_retry_view, name="admin_job_retry"),
    path("credentials/", organisation.credentials_view, name="admin_credentials"),
    path("credentials/new/", organisation.credential_new_view, name="admin_credential_new"),
    path(
        "credentials/<int:credential_id>/revoke/",
        organisation.credential_revoke_view,
        name="admin_credential_revoke",
    ),
]

own_pages = [
    path("me/password/", own.password_view, name="account_password"),
]
