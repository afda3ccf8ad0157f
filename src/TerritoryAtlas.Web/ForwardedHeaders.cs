using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace TerritoryAtlas.Web;

/// <summary>
/// Behind a reverse proxy (nginx, Traefik, a load balancer terminating TLS), the client's address and scheme arrive in
/// X-Forwarded-For and X-Forwarded-Proto. They are believed only from the proxies the settings name
/// ("ForwardedHeaders:KnownProxies" = addresses, "ForwardedHeaders:KnownNetworks" = CIDR ranges, comma-separated; the
/// loopback is always trusted), one hop deep: otherwise any client could pick the address its rate limit is counted
/// under. Once believed, rate limits count each person behind the proxy apart, cookies are Secure under HTTPS, and the
/// links the atlas writes (password reset, single sign-on's redirect_uri) start with https.
/// </summary>
public static class ForwardedHeaders
{
    public static IServiceCollection AddAtlasForwardedHeaders(this IServiceCollection services, IConfiguration configuration) =>
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor
                | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
            foreach (var proxy in List(configuration["ForwardedHeaders:KnownProxies"]))
            {
                options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address)
                    ? address
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies: '{proxy}' is not an IP address."));
            }

            foreach (var network in List(configuration["ForwardedHeaders:KnownNetworks"]))
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed)
                    ? parsed
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks: '{network}' is not a CIDR range such as 10.0.0.0/8."));
            }
        });

    private static string[] List(string? value) =>
        value?.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
