namespace TerritoryAtlas.Web.Accounts;

/// <summary>The account pages' words in French (default) and English (?lang=en).</summary>
public sealed record AccountTexts(
    string Lang, string SignInTitle, string Email, string Password, string RememberMe, string SignIn, string SignInFailed,
    string TooManyAttempts, string SignOut, string SignOutEverywhere, string AccountTitle, string Roles, string Organisation,
    string None, string Tokens, string TokensHint, string TokenName, string TokenDays, string CreateToken, string TokenShownOnce,
    string Created, string Expires, string LastUsed, string Status, string Active, string Expired, string Revoked, string Revoke,
    string Never, string NoTokens, string SignedOut, string Forbidden, string OtherLanguage, string OtherLanguageName, string ForgotPassword,
    string MyWorkshops, string NoWorkshops, string WorkshopTitle, string Participants, string Notes, string Projection,
    string SignInWith, string SsoFailed, string SsoAddress, string SsoDisabled, string Or)
{
    public static readonly AccountTexts French = new(
        "fr", "Connexion", "Adresse électronique", "Mot de passe", "Rester connecté", "Se connecter",
        "Adresse ou mot de passe incorrect, ou compte verrouillé un moment après plusieurs échecs.",
        "Trop de tentatives de connexion : réessayez dans une minute.", "Se déconnecter",
        "Déconnecter toutes mes sessions", "Mon compte", "Rôles", "Organisation", "aucune", "Mes jetons d'accès",
        "Un jeton permet à un script d'appeler l'API : en-tête Authorization: Bearer <jeton>.", "Nom du jeton", "Durée (jours)",
        "Créer le jeton", "Copiez ce jeton maintenant : il ne sera plus affiché.", "Créé le", "Expire le", "Dernier usage", "État",
        "actif", "expiré", "révoqué", "Révoquer", "jamais", "Aucun jeton.", "Vous êtes déconnecté.",
        "Votre compte n'a pas accès à cette page.", "en", "English", "Mot de passe oublié ?",
        "Mes ateliers", "Vous n'avez ouvert aucun atelier connecté.", "Atelier", "Participants", "Annotations", "projection",
        "Se connecter avec {0}", "La connexion par le fournisseur d'identité n'a pas abouti (refusée ou interrompue) : réessayez, ou connectez-vous par mot de passe.",
        "Le fournisseur d'identité ne garantit pas votre adresse électronique : un administrateur doit relier votre compte.",
        "Ce compte est désactivé : adressez-vous à l'observatoire.", "ou");

    public static readonly AccountTexts English = new(
        "en", "Sign in", "Email address", "Password", "Keep me signed in", "Sign in",
        "Wrong address or password, or the account is locked for a while after repeated failures.",
        "Too many sign-in attempts: try again in a minute.", "Sign out", "Sign out all my sessions", "My account", "Roles",
        "Organisation", "none", "My access tokens", "A token lets a script call the API: header Authorization: Bearer <token>.",
        "Token name", "Lifetime (days)", "Create the token", "Copy this token now: it will not be shown again.", "Created",
        "Expires", "Last used", "Status", "active", "expired", "revoked", "Revoke", "never", "No tokens.", "You are signed out.",
        "Your account has no access to this page.", "fr", "Français", "Forgotten password?",
        "My workshops", "You have not opened any workshop while signed in.", "Workshop", "Participants", "Notes", "projection",
        "Sign in with {0}", "Signing in through the identity provider did not succeed (refused or interrupted): try again, or sign in with a password.",
        "The identity provider does not vouch for your e-mail address: an administrator must link your account.",
        "This account is disabled: contact the observatory.", "or");

    public static AccountTexts For(string? lang) => lang == "en" ? English : French;
}
