"""Every installation starts with the two roles, the default verdict scale and the policy."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from verifier import defaults


def create_defaults(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    defaults.ensure_groups(apps)
    defaults.ensure_ratings(apps)
    defaults.ensure_policy(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("verifier", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
