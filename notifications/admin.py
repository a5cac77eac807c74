from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Notification, NotificationPreference, OutboxMessage, UserProfile


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Deliveries; a failed one is retried from here (select it, then "Retry")."""

    list_display = (
        "created",
        "kind",
        "recipient",
        "to_email",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    )
    list_filter = ("status", "kind", "created")
    list_select_related = ("recipient",)
    search_fields = ("dedupe_key", "to_email", "recipient__username", "subject")
    date_hierarchy = "created"
    actions = ["retry"]
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("last error"))
    def short_error(self, message):
        return message.last_error[:80]

    def has_retry_permission(self, request):
        return request.user.has_perm("notifications.change_outboxmessage")

    @admin.action(
        description=_("Retry the selected failed or cancelled deliveries"),
        permissions=["retry"],
    )
    def retry(self, request, queryset):
        count = services.outbox_retry(message_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery will be tried again.",
                "%(count)d deliveries will be tried again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created", "user", "kind", "pilot", "email_mode", "read_at")
    list_filter = ("kind", "email_mode", ("read_at", admin.EmptyFieldListFilter))
    list_select_related = ("user", "pilot")
    search_fields = ("dedupe_key", "user__username", "pilot__reference")
    raw_id_fields = ("user", "pilot", "task", "message", "digest")
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "mode")
    list_filter = ("kind", "mode")
    raw_id_fields = ("user",)


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "language")
    list_filter = ("language",)
    raw_id_fields = ("user",)
