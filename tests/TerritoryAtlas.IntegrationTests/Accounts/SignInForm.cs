using System.Net;
using System.Text.RegularExpressions;

namespace TerritoryAtlas.IntegrationTests.Accounts;

/// <summary>The sign-in form posted as a browser does: GET for the antiforgery token (and its cookie), then POST.</summary>
public static partial class SignInForm
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    public static async Task<HttpResponseMessage> PostAsync(HttpClient http, string email, string password)
    {
        var form = await http.GetStringAsync("/compte/connexion?ReturnUrl=%2Fcompte");
        var token = AntiforgeryField().Match(form).Groups[1].Value;
        return await http.PostAsync("/compte/connexion?ReturnUrl=%2Fcompte", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "sign-in",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
    }
}
