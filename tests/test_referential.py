"""The Caf administrator's referential from screens: territories with their advisors, communes
edited one by one or imported from CSV / XLSX (nothing imported when a line is wrong), and the
Caf's carriers (created with a first user, deactivated, two records of one structure merged)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from clasportal.models import Commune, OutboundEmail, Role, Territory
from projects.models import Carrier, CarrierMembership, Project, ProjectStatus

from .factories import (
    CampaignFactory,
    CarrierFactory,
    CommuneFactory,
    ProjectFactory,
    TerritoryFactory,
    carrier_user,
    staff_user,
)

pytestmark = pytest.mark.django_db


def csv_upload(text, name="communes.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_upload(rows, name="communes.xlsx"):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


# --- Territories ---------------------------------------------------------------------------------


def test_admin_creates_renames_assigns_and_deletes_a_territory(client, loire, vosges):
    client.force_login(loire.caf_admin)
    other_advisor = staff_user(loire.caf, Role.ADVISOR)
    response = client.post(
        reverse("territory_list"),
        {"name": "  Pilat   Rhodanien ", "advisors": [other_advisor.staff_profile.pk]},
    )
    assert response.status_code == 302
    territory = Territory.objects.get(name="Pilat Rhodanien")
    assert territory.caf == loire.caf
    assert list(other_advisor.staff_profile.territories.all()) == [territory]

    # Same name twice in one Caf: a French error, nothing created.
    response = client.post(reverse("territory_list"), {"name": "Pilat Rhodanien"})
    assert "Un territoire de votre Caf porte déjà ce nom." in response.content.decode()

    # Another Caf's advisor is not offered, and cannot be slipped in.
    response = client.post(
        reverse("territory_edit", args=[territory.pk]),
        {"name": "Pilat", "advisors": [vosges.advisor.staff_profile.pk]},
    )
    assert response.status_code == 200
    assert vosges.advisor.staff_profile.territories.count() == 1
    client.post(reverse("territory_edit", args=[territory.pk]), {"name": "Pilat", "advisors": []})
    territory.refresh_from_db()
    assert territory.name == "Pilat"
    assert not other_advisor.staff_profile.territories.exists()
    assert territory.history.count() == 2  # created, renamed

    # Not empty: refused with the reason; empty: deleted.
    commune = CommuneFactory(territory=territory)
    response = client.post(reverse("territory_delete", args=[territory.pk]), follow=True)
    assert "n&#x27;est pas vide" in response.content.decode()
    commune.territory = None
    commune.save()
    client.post(reverse("territory_delete", args=[territory.pk]))
    assert not Territory.objects.filter(pk=territory.pk).exists()


def test_another_caf_territory_is_not_found(client, loire, vosges):
    client.force_login(vosges.caf_admin)
    assert client.get(reverse("territory_edit", args=[loire.territory.pk])).status_code == 404
    client.force_login(loire.advisor)
    assert client.get(reverse("territory_list")).status_code == 403


# --- Communes ------------------------------------------------------------------------------------


def test_commune_list_is_searchable_paginated_and_costs_the_same_for_many_rows(
    client, loire, django_assert_max_num_queries
):
    for n in range(60):
        CommuneFactory(territory=loire.territory, name=f"Bourg {n:02d}")
    client.force_login(loire.caf_admin)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("commune_list"))
    page = response.content.decode()
    assert "Page 1 sur 2" in page
    response = client.get(reverse("commune_list"), {"q": "Bourg 07"})
    assert "Bourg 07" in response.content.decode()
    assert "Bourg 08" not in response.content.decode()


def test_commune_is_edited_one_by_one_with_its_flags(client, loire):
    commune = loire.carrier.commune
    client.force_login(loire.caf_admin)
    response = client.post(
        reverse("commune_edit", args=[commune.pk]),
        {
            "insee_code": "99999",  # ignored: the code identifies the commune
            "name": commune.name,
            "postcode": "4270",
            "territory": loire.territory.pk,
            "is_rural": "on",
        },
    )
    assert "Code postal invalide : 5 chiffres." in response.content.decode()
    client.post(
        reverse("commune_edit", args=[commune.pk]),
        {
            "name": commune.name,
            "postcode": "42700",
            "territory": loire.territory.pk,
            "is_rural": "on",
            "is_zrr": "on",
        },
    )
    commune.refresh_from_db()
    assert (commune.is_rural, commune.is_zrr, commune.is_qpv) == (True, True, False)
    assert commune.insee_code != "99999"
    assert commune.history.first().history_user == loire.caf_admin


def test_a_commune_of_another_caf_cannot_be_created_again(client, loire, vosges):
    theirs = vosges.carrier.commune
    client.force_login(loire.caf_admin)
    response = client.post(
        reverse("commune_create"), {"insee_code": theirs.insee_code, "name": "Copie"}
    )
    assert f"appartient à la Caf {vosges.caf.name}" in response.content.decode()


GOOD_CSV = (
    "code_insee;nom;code_postal;territoire;rural;zrr;qpv\n"
    "42218;Saint-Étienne;42000;{territory};non;non;oui\n"
    "42095;Firminy;42700;{territory};0;;x\n"
    "42207;Saint-Bonnet-le-Château;42380;;oui;1;\n"
)


def test_a_valid_csv_is_previewed_then_imported_on_confirmation(client, loire):
    client.force_login(loire.caf_admin)
    text = GOOD_CSV.format(territory=loire.territory.name.upper())
    response = client.post(reverse("commune_import"), {"file": csv_upload(text)})
    page = response.content.decode()
    assert "3 créations, 0 mises à jour" in page
    assert not Commune.objects.filter(insee_code="42218").exists()  # a preview writes nothing

    client.post(reverse("commune_import_confirm"))
    stetienne = Commune.objects.get(insee_code="42218")
    assert stetienne.caf == loire.caf and stetienne.territory == loire.territory
    assert (stetienne.is_rural, stetienne.is_zrr, stetienne.is_qpv) == (False, False, True)
    bonnet = Commune.objects.get(insee_code="42207")
    assert bonnet.territory is None and bonnet.is_rural and bonnet.is_zrr
    assert stetienne.history.get().history_user == loire.caf_admin

    # The same file with one change: one update shown field by field, the rest unchanged.
    text = text.replace(
        "42207;Saint-Bonnet-le-Château;42380;;oui;1;", "42207;Saint-Bonnet-le-Château;42380;;oui;0;"
    )
    response = client.post(reverse("commune_import"), {"file": csv_upload(text)})
    page = response.content.decode()
    assert "0 créations, 1 mise à jour, 2 inchangées" in page
    assert "zrr : oui → non" in page
    client.post(reverse("commune_import_confirm"))
    bonnet.refresh_from_db()
    assert not bonnet.is_zrr


def test_one_bad_line_imports_nothing_and_names_the_line(client, loire):
    client.force_login(loire.caf_admin)
    before = Commune.objects.count()
    text = (
        "code_insee,nom,code_postal,territoire,rural,zrr,qpv\n"
        "42218,Saint-Étienne,42000,,non,non,oui\n"
        "4X095,Firminy,42700,,non,non,non\n"
        "42147,Montbrison,42600,Nulle Part,non,non,non\n"
        "42148,Moingt,42600,,peut-être,non,non\n"
        "42218,Saint-Étienne bis,42000,,non,non,non\n"
    )
    response = client.post(reverse("commune_import"), {"file": csv_upload(text)})
    page = response.content.decode()
    assert "Le fichier n'est pas importé : 4 lignes à corriger" in page
    assert "Ligne 3 : code_insee : Code INSEE « 4X095 » invalide" in page
    assert "Ligne 4 : territoire : Territoire inconnu : « Nulle Part »" in page
    assert "Ligne 5 : rural : « peut-être » n&#x27;est pas une valeur possible pour rural" in page
    assert "Ligne 6 : code_insee : Code INSEE 42218 en double : déjà à la ligne 1." in page
    assert "Confirmer l'import" not in page
    assert Commune.objects.count() == before
    # Nothing waits to be confirmed either.
    response = client.post(reverse("commune_import_confirm"), follow=True)
    assert "Aucun fichier vérifié" in response.content.decode()
    assert Commune.objects.count() == before


def test_an_xlsx_file_is_imported_too(client, loire):
    client.force_login(loire.caf_admin)
    rows = [
        ["Code INSEE", "Nom", "Code postal", "Territoire", "Rural", "ZRR", "QPV"],
        [42218, "Saint-Étienne", 42000, loire.territory.name, None, None, "oui"],
        [1004, "Ambérieu-en-Bugey", 1500, None, 1, True, 0],
    ]
    response = client.post(reverse("commune_import"), {"file": xlsx_upload(rows)})
    assert "2 créations" in response.content.decode()
    client.post(reverse("commune_import_confirm"))
    amberieu = Commune.objects.get(insee_code="01004")
    assert amberieu.postcode == "01500" and amberieu.is_rural and amberieu.is_zrr
    assert Commune.objects.get(insee_code="42218").is_qpv


def test_an_xlsx_with_a_bad_line_imports_nothing(client, loire):
    client.force_login(loire.caf_admin)
    rows = [
        ["code_insee", "nom", "rural"],
        ["42218", "Saint-Étienne", "non"],
        ["42095", "Firminy", "peut-être"],
    ]
    response = client.post(reverse("commune_import"), {"file": xlsx_upload(rows)})
    assert "Ligne 3 : rural" in response.content.decode()
    assert not Commune.objects.filter(insee_code="42218").exists()


def test_a_commune_of_another_caf_is_refused_in_an_import(client, loire, vosges):
    theirs = vosges.carrier.commune
    client.force_login(loire.caf_admin)
    text = f"code_insee;nom\n42218;Saint-Étienne\n{theirs.insee_code};{theirs.name}\n"
    response = client.post(reverse("commune_import"), {"file": csv_upload(text)})
    page = response.content.decode()
    assert f"Ligne 3 : code_insee : La commune {theirs.insee_code}" in page
    assert f"appartient à la Caf {vosges.caf.name}" in page
    theirs.refresh_from_db()
    assert theirs.caf == vosges.caf and theirs.name != "Saint-Étienne"
    assert not Commune.objects.filter(insee_code="42218").exists()


def test_a_file_without_the_columns_or_not_a_table_is_refused_in_french(client, loire):
    client.force_login(loire.caf_admin)
    response = client.post(
        reverse("commune_import"), {"file": csv_upload("ville;cp\nFirminy;42700\n")}
    )
    assert "Colonnes manquantes : code_insee, nom" in response.content.decode()
    response = client.post(
        reverse("commune_import"),
        {"file": SimpleUploadedFile("communes.xlsx", b"PK\x03\x04 pas un vrai zip")},
    )
    assert "Ce fichier XLSX est illisible" in response.content.decode()


def test_the_template_and_the_sample_file_import_cleanly(client, loire):
    from django.conf import settings

    client.force_login(loire.caf_admin)
    response = client.get(reverse("commune_import_template"))
    assert response["Content-Disposition"] == 'attachment; filename="modele-communes.csv"'
    assert response.content.decode("utf-8-sig").startswith(
        "code_insee;nom;code_postal;territoire;rural;zrr;qpv"
    )
    for name in ("Saint-Étienne Métropole", "Loire Forez Agglomération", "Roannais Agglomération"):
        TerritoryFactory(caf=loire.caf, name=name)
    sample = (settings.BASE_DIR / "docs" / "exemples" / "communes.csv").read_bytes()
    response = client.post(
        reverse("commune_import"), {"file": SimpleUploadedFile("communes.csv", sample)}
    )
    assert "Confirmer l'import" in response.content.decode()


# --- Carriers ------------------------------------------------------------------------------------


def carrier_values(commune, **more):
    return {
        "legal_name": "Centre social Les Tilleuls",
        "siret": "732 829 320 00074",
        "kind": "association",
        "address": "3 rue des Tilleuls",
        "commune": commune.pk,
        "contact_name": "Dominique Roux",
        "email": "contact@tilleuls.fr",
        **more,
    }


def test_advisor_creates_a_carrier_and_invites_its_first_user(client, loire):
    client.force_login(loire.advisor)
    commune = loire.carrier.commune
    response = client.post(
        reverse("projects:carrier_create"),
        carrier_values(commune, siret=loire.carrier.siret, user_email="d.roux@tilleuls.fr"),
    )
    assert "Ce SIRET est déjà celui d&#x27;un porteur du portail" in response.content.decode()
    response = client.post(
        reverse("projects:carrier_create"),
        carrier_values(
            commune,
            user_email="D.Roux@tilleuls.fr",
            user_first_name="Dominique",
            user_last_name="Roux",
        ),
    )
    carrier = Carrier.objects.get(siret="73282932000074")
    assert response.url == reverse("projects:carrier_detail", args=[carrier.pk])
    assert carrier.caf == loire.caf and carrier.is_active
    member = carrier.memberships.get().user
    assert member.email == "d.roux@tilleuls.fr" and not member.has_usable_password()
    invitation = OutboundEmail.objects.get(recipients=["d.roux@tilleuls.fr"])
    assert "Choisissez votre mot de passe" in invitation.body
    assert carrier.history.get().history_change_reason == f"Créé par {loire.advisor}"

    # Edit: traced with who did it.
    values = carrier_values(commune, legal_name="Centre social des Tilleuls")
    client.post(reverse("projects:carrier_edit", args=[carrier.pk]), values)
    carrier.refresh_from_db()
    assert carrier.legal_name == "Centre social des Tilleuls"
    assert carrier.history.first().history_user == loire.advisor


def test_a_commune_of_another_caf_cannot_be_chosen_for_a_carrier(client, loire, vosges):
    client.force_login(loire.caf_admin)
    response = client.post(
        reverse("projects:carrier_create"), carrier_values(vosges.carrier.commune)
    )
    assert response.status_code == 200
    assert not Carrier.objects.filter(siret="73282932000074").exists()


def test_a_deactivated_carrier_cannot_create_nor_deposit(client, loire):
    client.force_login(loire.advisor)
    url = reverse("projects:carrier_activation", args=[loire.carrier.pk])
    assert client.post(url).status_code == 403  # the administrator only
    client.force_login(loire.caf_admin)
    client.post(url, {"reason": "Structure dissoute"})
    loire.carrier.refresh_from_db()
    assert not loire.carrier.is_active
    assert "Structure dissoute" in loire.carrier.history.first().history_change_reason

    client.force_login(loire.carrier_user)
    response = client.get(reverse("projects:create"), follow=True)
    assert "Votre structure est désactivée" in response.content.decode()
    from projects import workflow

    with pytest.raises(workflow.TransitionError, match="désactivé"):
        workflow.submit(loire.project.pk, by=loire.carrier_user)

    client.force_login(loire.caf_admin)
    client.post(url)
    loire.carrier.refresh_from_db()
    assert loire.carrier.is_active


def test_merge_moves_projects_and_members_then_deactivates_the_duplicate(client, loire):
    duplicate = CarrierFactory(
        commune=loire.carrier.commune, legal_name="Réussir Ensemble (doublon)"
    )
    old_campaign = CampaignFactory(caf=loire.caf, year=2024)
    old_project = ProjectFactory(carrier=duplicate, campaign=old_campaign)
    dup_user = carrier_user(duplicate)
    shared_user = loire.carrier_user
    CarrierMembership.objects.create(carrier=duplicate, user=shared_user)
    client.force_login(loire.caf_admin)
    url = reverse("projects:carrier_merge", args=[loire.carrier.pk])

    response = client.post(url, {"duplicate": duplicate.pk})
    page = response.content.decode()
    assert old_project.title in page and dup_user.email in page
    assert "déjà membre de la fiche gardée" in page
    assert Project.objects.get(pk=old_project.pk).carrier == duplicate  # nothing moved yet

    client.post(url, {"duplicate": duplicate.pk, "confirm": "1"})
    old_project.refresh_from_db()
    duplicate.refresh_from_db()
    assert old_project.carrier == loire.carrier
    assert not duplicate.is_active and duplicate.merged_into == loire.carrier
    assert set(loire.carrier.memberships.values_list("user", flat=True)) == {
        shared_user.pk,
        dup_user.pk,
    }
    assert not duplicate.memberships.exists()
    assert "Fusion de" in old_project.history.first().history_change_reason
    assert "Fusion de" in loire.carrier.history.first().history_change_reason


def test_merge_is_refused_when_both_filed_in_the_same_campaign(client, loire):
    duplicate = CarrierFactory(commune=loire.carrier.commune)
    ProjectFactory(carrier=duplicate, campaign=loire.project.campaign)
    client.force_login(loire.caf_admin)
    url = reverse("projects:carrier_merge", args=[loire.carrier.pk])
    response = client.post(url, {"duplicate": duplicate.pk, "confirm": "1"})
    assert "ont un projet dans la campagne" in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.is_active and duplicate.projects.count() == 1
    assert loire.project.status == ProjectStatus.DRAFT


def test_another_caf_carrier_cannot_be_merged_in(client, loire, vosges):
    client.force_login(loire.caf_admin)
    url = reverse("projects:carrier_merge", args=[loire.carrier.pk])
    response = client.post(url, {"duplicate": vosges.carrier.pk, "confirm": "1"})
    assert "Sélectionnez un choix valide" in response.content.decode()
    vosges.carrier.refresh_from_db()
    assert vosges.carrier.is_active and vosges.carrier.merged_into is None
