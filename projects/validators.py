from django.core.exceptions import ValidationError

# La Poste's establishments share SIREN 356000000 and follow their own checksum rule (INSEE).
LA_POSTE_SIREN = "356000000"


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_siret(value: str) -> None:
    siret = (value or "").replace(" ", "")
    if len(siret) != 14 or not (siret.isascii() and siret.isdigit()):
        raise ValidationError(
            "Le SIRET doit comporter exactement 14 chiffres (sans lettres).", code="siret_format"
        )
    if siret.startswith(LA_POSTE_SIREN) and siret != "35600000000048":
        if sum(int(c) for c in siret) % 5 == 0:
            return
    if not luhn_ok(siret):
        raise ValidationError(
            "Ce SIRET n'est pas valide : vérifiez les chiffres (clé de contrôle incorrecte).",
            code="siret_checksum",
        )
