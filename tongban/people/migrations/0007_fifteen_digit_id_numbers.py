"""Resident ID numbers kept in their 15-digit first-generation form become their 18-digit form,
as every number typed since is (lib.identifiers.resident_id_validate): otherwise the person is
no longer found by their number and a second record of them is made. A number whose 18-digit
form is another record already (the same person recorded twice) is left as it is and named,
for an administrator to bring the two together: moving cases between records is a decision,
not a migration's."""

from django.db import migrations


def _eighteen(apps, schema_editor):
    from tongban.lib.crypto import SCHEME, blind_index, decrypt_str, encrypt_str
    from tongban.lib.identifiers import IdentifierError, resident_id_validate

    purpose = "people.applicant.id_number"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, id_number FROM people_applicant WHERE kind = 'person'")
        rows = cursor.fetchall()
        for pk, sealed in rows:
            number = decrypt_str(sealed, purpose=purpose) if sealed.startswith(SCHEME + "$") else sealed
            if len(number) != 15:
                continue
            try:
                new = resident_id_validate(number)
            except IdentifierError:
                continue
            index = blind_index(new, purpose=purpose)
            cursor.execute("SELECT id FROM people_applicant WHERE id_number_index = %s", [index])
            twin = cursor.fetchone()
            if twin:
                print(f"\n  people.Applicant {pk}: its 15-digit ID number is that of applicant "
                      f"{twin[0]} too; left as it is: bring the two records together by hand")
                continue
            cursor.execute(
                "UPDATE people_applicant SET id_number = %s, id_number_index = %s WHERE id = %s",
                [encrypt_str(new, purpose=purpose), index, pk],
            )


class Migration(migrations.Migration):
    dependencies = [("people", "0006_totp_secret_sealed")]

    operations = [migrations.RunPython(_eighteen, migrations.RunPython.noop, elidable=True)]
