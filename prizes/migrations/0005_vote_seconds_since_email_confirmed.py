from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("prizes", "0004_selection"),
    ]

    operations = [
        migrations.RenameField(
            model_name="vote",
            old_name="seconds_since_signup",
            new_name="seconds_since_email_confirmed",
        ),
    ]
