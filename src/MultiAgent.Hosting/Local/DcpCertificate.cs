using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aspire.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace MultiAgent.Hosting.Local;

// IDeveloperCertificateService is experimental in Aspire 13; it is how Aspire chooses the certificate DCP serves with.
#pragma warning disable ASPIRECERTIFICATES001

/// <summary>
/// DCP, the process orchestrator of run mode, serves its API over TLS. Without a certificate it generates a new
/// self-signed one at every start: 1-3 s of CPU on 2 cores, as much as the rest of its start, paid by every
/// <c>./build.sh run</c> and by every AppHost a test starts. Aspire gives DCP the ASP.NET Core development certificate
/// instead, but only one the machine trusts, which on Linux takes a change to the system's trust store. This gives DCP
/// the development certificate (<c>dotnet dev-certs https</c>, which <c>./build.sh</c> creates) without trusting it:
/// DCP presents it, the AppHost's client pins it through DCP's kubeconfig, and no agent or server is made to trust it.
/// A trusted development certificate keeps Aspire's own handling, and <c>ASPIRE_DCP_USE_DEVELOPER_CERTIFICATE=false</c>
/// still turns the whole thing off.
/// </summary>
public static class DcpCertificate
{
    /// <summary>The extension that marks an ASP.NET Core HTTPS development certificate.</summary>
    public const string DevelopmentCertificateOid = "1.3.6.1.4.1.311.84.1.1";

    /// <summary>Lets DCP use an untrusted development certificate in run mode (see the class); publish mode is left alone.</summary>
    public static IDistributedApplicationBuilder WithDevelopmentCertificateForDcp(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var aspire = builder.Services.LastOrDefault(s => s.ServiceType == typeof(IDeveloperCertificateService));
        if (!builder.ExecutionContext.IsRunMode || aspire?.ImplementationType is not { } implementation)
        {
            return builder;
        }

        builder.Services.Remove(aspire);
        builder.Services.AddSingleton<IDeveloperCertificateService>(services => new ForDcp(
            (IDeveloperCertificateService)ActivatorUtilities.CreateInstance(services, implementation),
            () => FromStore(DateTimeOffset.Now)));
        return builder;
    }

    /// <summary>The current user's newest valid development certificate with its private key, or null.</summary>
    public static X509Certificate2? FromStore(DateTimeOffset now)
    {
        try
        {
            using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            return Newest(store.Certificates, now);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // No store (no certificate was ever made for this user, or no home folder), or one that cannot be read:
            // DCP makes its own certificate, as without this.
            return null;
        }
    }

    /// <summary>Of <paramref name="candidates"/>, the development certificate with a private key, valid at <paramref name="now"/>, that lasts longest.</summary>
    public static X509Certificate2? Newest(IEnumerable<X509Certificate2> candidates, DateTimeOffset now) =>
        candidates
            .Where(c => c.HasPrivateKey && c.Extensions[DevelopmentCertificateOid] is not null && c.NotBefore <= now && now < c.NotAfter)
            .MaxBy(c => c.NotAfter);

    /// <summary>
    /// Aspire's certificate service, with the untrusted development certificate listed for DCP when Aspire found no
    /// trusted one; then nothing is asked to trust it or to serve HTTPS with it.
    /// </summary>
    public sealed class ForDcp(IDeveloperCertificateService aspire, Func<X509Certificate2?> untrusted) : IDeveloperCertificateService
    {
        private readonly Lazy<ImmutableList<X509Certificate2>> _forDcp = new(() =>
            untrusted() is { } certificate ? [certificate] : []);

        private bool Substitutes => aspire.Certificates.Count == 0 && _forDcp.Value.Count > 0;

        public ImmutableList<X509Certificate2> Certificates => aspire.Certificates.Count > 0 ? aspire.Certificates : _forDcp.Value;

        public bool SupportsContainerTrust => !Substitutes && aspire.SupportsContainerTrust;

        public bool UseForHttps => !Substitutes && aspire.UseForHttps;

        public bool TrustCertificate => !Substitutes && aspire.TrustCertificate;

        public bool LatestCertificateIsUntrusted => aspire.LatestCertificateIsUntrusted;
    }
}
