from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """One account per e-mail; the instructeur/administrateur/expert profiles hang off it."""

    email = models.EmailField("adresse électronique", unique=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("super-admin", default=False)
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)
    failed_login_attempts = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField("verrouillé le", null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "utilisateur"

    def __str__(self):
        return self.email

    @property
    def instructeur_profile(self):
        return getattr(self, "instructeur", None)

    @property
    def administrateur_profile(self):
        return getattr(self, "administrateur", None)

    @property
    def expert_profile(self):
        return getattr(self, "expert", None)


class Instructeur(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="instructeur")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.user.email

    @property
    def email(self):
        return self.user.email


class Administrateur(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="administrateur")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.user.email

    @property
    def email(self):
        return self.user.email


class Expert(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="expert")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.user.email


class JetonConnexion(models.Model):
    """A "connexion sécurisée" link e-mailed to an agent logging in from a browser not yet trusted.

    Only the SHA-256 of the secret is kept. Once used, the browser that opened it is trusted for a while
    (see `appareils.py`); `renouvellement_envoye_le` records the e-mail sent shortly before that trust ends.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="jetons_connexion")
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("envoyé le", default=timezone.now, db_index=True)
    used_at = models.DateTimeField("utilisé le", null=True, blank=True, db_index=True)
    renouvellement_envoye_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "lien de connexion sécurisée"
        verbose_name_plural = "liens de connexion sécurisée"

    def __str__(self):
        return f"{self.user} — {self.created_at:%d/%m/%Y %H:%M}"
