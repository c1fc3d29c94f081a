"""Official French administrative geography and the list of countries, loaded from bundled data.

Codes are the keys (INSEE, ISO 3166): they are what champs store, and what survives a reload of
the reference data. Names have a normalised twin (lower case, no accents, no punctuation) for
prefix search; the PostgreSQL indexes use the pattern operator class so that `LIKE 'abc%'` is
served whatever the database collation (the option is ignored by SQLite).
"""

from django.db import models


class Region(models.Model):
    code = models.CharField(max_length=3, primary_key=True)
    nom = models.CharField(max_length=100)
    zone = models.CharField(max_length=10, help_text="metro, drom ou com")

    class Meta:
        verbose_name = "région"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Departement(models.Model):
    code = models.CharField(max_length=3, primary_key=True)
    nom = models.CharField(max_length=100)
    region_code = models.CharField(max_length=3, db_index=True)
    zone = models.CharField(max_length=10)

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.nom}"


class Commune(models.Model):
    code_insee = models.CharField("code INSEE", max_length=5, primary_key=True)
    nom = models.CharField(max_length=100)
    nom_normalise = models.CharField(max_length=100)
    departement_code = models.CharField(max_length=3, db_index=True)
    region_code = models.CharField(max_length=3)
    codes_postaux = models.JSONField(default=list)
    population = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["nom", "code_insee"]
        indexes = [
            models.Index(fields=["nom_normalise"], name="commune_nom_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return self.nom


class CodePostal(models.Model):
    """One row per (postal code, commune): a postal code serves several communes and the other way round."""

    code_postal = models.CharField(max_length=5)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code_postal", "commune"], name="unique_code_postal_commune")]
        indexes = [models.Index(fields=["code_postal"], name="code_postal_idx", opclasses=["varchar_pattern_ops"])]


class Epci(models.Model):
    """Établissement public de coopération intercommunale (code = its SIREN)."""

    code = models.CharField(max_length=9, primary_key=True)
    nom = models.CharField(max_length=200)
    nom_normalise = models.CharField(max_length=200)
    type = models.CharField(max_length=10, help_text="CC, CA, CU, METRO, MET69")
    population = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "EPCI"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class EpciDepartement(models.Model):
    """The départements an EPCI's member communes lie in (most lie in one)."""

    epci = models.ForeignKey(Epci, on_delete=models.CASCADE, related_name="departements")
    departement_code = models.CharField(max_length=3)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["departement_code", "epci"], name="unique_epci_departement")]


class Pays(models.Model):
    code = models.CharField("code ISO 3166-1", max_length=2, primary_key=True)
    nom = models.CharField(max_length=100)
    nom_normalise = models.CharField(max_length=100)

    class Meta:
        verbose_name_plural = "pays"
        ordering = ["nom_normalise"]

    def __str__(self):
        return self.nom
