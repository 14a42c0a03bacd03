from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from verifier import views

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("articles/", views.ArticleListView.as_view(), name="article-list"),
    path("articles/new/", views.ArticleCreateView.as_view(), name="article-new"),
    path(
        "articles/<int:pk>/", views.ArticleDetailView.as_view(), name="article-detail"
    ),
    path("articles/<int:pk>/open/", views.article_open, name="article-open"),
    path(
        "articles/<int:pk>/versions/<int:number>/changes/",
        views.article_text_changes,
        name="article-text-changes",
    ),
    path(
        "articles/<int:pk>/claims/", views.article_add_claim, name="article-add-claim"
    ),
    path(
        "articles/<int:pk>/sign-off/", views.article_sign_off, name="article-sign-off"
    ),
    path("articles/<int:pk>/reopen/", views.article_reopen, name="article-reopen"),
    path(
        "articles/<int:pk>/schedule/",
        views.article_schedule,
        name="article-schedule",
    ),
    path(
        "articles/<int:pk>/new-version/",
        views.article_new_version,
        name="article-new-version",
    ),
    path(
        "articles/<int:pk>/report/",
        views.ArticleReportView.as_view(),
        name="article-report",
    ),
    path(
        "articles/<int:pk>/claimreview.json",
        views.article_claimreview,
        name="article-claimreview",
    ),
    path(
        "articles/<int:pk>/factcheck-url/",
        views.article_factcheck_url,
        name="article-factcheck-url",
    ),
    path("claims/", views.ClaimListView.as_view(), name="claim-list"),
    path("claims/assign/", views.claim_bulk_assign, name="claim-bulk-assign"),
    path("claimants/", views.ClaimantListView.as_view(), name="claimant-list"),
    path("claimants/merge/", views.claimant_merge, name="claimant-merge"),
    path("claims/<int:pk>/", views.ClaimDetailView.as_view(), name="claim-detail"),
    *[
        path(
            f"claims/<int:pk>/{action}/",
            views.claim_transition,
            {"action": action},
            name=f"claim-{action}",
        )
        for action in views.TRANSITIONS
    ],
    path("claims/<int:pk>/verdict/", views.claim_verdict, name="claim-verdict"),
    path("claims/<int:pk>/evidence/", views.claim_evidence, name="claim-evidence"),
    path("claims/<int:pk>/notes/", views.claim_note, name="claim-note"),
    path("claims/<int:pk>/assign/", views.claim_assign, name="claim-assign"),
    path("claims/<int:pk>/claimant/", views.claim_claimant, name="claim-claimant"),
    path("claims/<int:pk>/schedule/", views.claim_schedule, name="claim-schedule"),
    path("claims/<int:pk>/reuse/", views.claim_reuse, name="claim-reuse"),
    path("claims/<int:pk>/adjust/", views.claim_adjust, name="claim-adjust"),
    path("claims/<int:pk>/split/", views.claim_split, name="claim-split"),
    path("claims/<int:pk>/merge/", views.claim_merge, name="claim-merge"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence-remove"),
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("inbox/read-all/", views.inbox_mark_all_read, name="inbox-read-all"),
    path("inbox/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("preferences/", views.PreferencesView.as_view(), name="preferences"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
]

# An unreachable database answers 503 (with Retry-After), not 500.
handler500 = "verifier.views.server_error"
