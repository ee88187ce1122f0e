using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aspire.Hosting;
using Microsoft.Extensions.DependencyInjection;
using MultiAgent.Hosting.Local;

#pragma warning disable ASPIRECERTIFICATES001 // Aspire's certificate service is experimental; DcpCertificate decorates it.

namespace MultiAgent.UnitTests.Hosting;

public sealed class DcpCertificateTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void With_no_trusted_certificate_DCP_gets_the_untrusted_development_one_and_nothing_is_made_to_trust_or_serve_it()
    {
        using var development = Certificate(development: true, Now.AddDays(-1), Now.AddDays(300));
        var service = new DcpCertificate.ForDcp(new AspireFinds([]), () => development);

        Assert.Same(development, Assert.Single(service.Certificates));
        Assert.False(service.TrustCertificate);
        Assert.False(service.UseForHttps);
        Assert.False(service.SupportsContainerTrust);
    }

    [Fact]
    public void A_trusted_certificate_keeps_Aspires_own_handling()
    {
        using var trusted = Certificate(development: true, Now.AddDays(-1), Now.AddDays(300));
        using var other = Certificate(development: true, Now.AddDays(-1), Now.AddDays(300));
        var service = new DcpCertificate.ForDcp(new AspireFinds([trusted]), () => other);

        Assert.Same(trusted, Assert.Single(service.Certificates));
        Assert.True(service.TrustCertificate);
        Assert.True(service.UseForHttps);
        Assert.True(service.SupportsContainerTrust);
    }

    [Fact]
    public void With_no_development_certificate_at_all_DCP_makes_its_own_as_before()
    {
        var service = new DcpCertificate.ForDcp(new AspireFinds([]), () => null);

        Assert.Empty(service.Certificates);
        Assert.True(service.TrustCertificate);
    }

    [Fact]
    public void Only_a_development_certificate_with_its_key_valid_now_is_chosen_the_longest_lasting_first()
    {
        using var plain = Certificate(development: false, Now.AddDays(-1), Now.AddDays(900));
        using var expired = Certificate(development: true, Now.AddDays(-400), Now.AddDays(-35));
        using var notYet = Certificate(development: true, Now.AddDays(2), Now.AddDays(800));
        using var keyless = X509CertificateLoader.LoadCertificate(Certificate(development: true, Now.AddDays(-1), Now.AddDays(700)).Export(X509ContentType.Cert));
        using var older = Certificate(development: true, Now.AddDays(-200), Now.AddDays(165));
        using var newer = Certificate(development: true, Now.AddDays(-1), Now.AddDays(364));

        Assert.Same(newer, DcpCertificate.Newest([plain, expired, notYet, keyless, older, newer], Now));
        Assert.Null(DcpCertificate.Newest([plain, expired, notYet, keyless], Now));
    }

    [Fact]
    public void Run_mode_decorates_Aspires_service_and_publish_mode_leaves_it_alone()
    {
        var run = DistributedApplication.CreateBuilder([]).WithDevelopmentCertificateForDcp();
        var output = Path.Combine(Path.GetTempPath(), "multiagent-unit-" + Guid.NewGuid().ToString("N"));
        var publish = DistributedApplication.CreateBuilder(["--publisher", "manifest", "--output-path", output]).WithDevelopmentCertificateForDcp();

        Assert.Null(Assert.Single(run.Services, s => s.ServiceType == typeof(IDeveloperCertificateService)).ImplementationType);
        Assert.NotNull(Assert.Single(publish.Services, s => s.ServiceType == typeof(IDeveloperCertificateService)).ImplementationType);
    }

    private static X509Certificate2 Certificate(bool development, DateTimeOffset from, DateTimeOffset until)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        if (development)
        {
            request.CertificateExtensions.Add(new X509Extension(DcpCertificate.DevelopmentCertificateOid, [6], critical: false));
        }

        return request.CreateSelfSigned(from, until);
    }

    /// <summary>What Aspire's own service found trusted; with one, it would trust and serve it.</summary>
    private sealed class AspireFinds(ImmutableList<X509Certificate2> trusted) : IDeveloperCertificateService
    {
        public ImmutableList<X509Certificate2> Certificates => trusted;

        public bool SupportsContainerTrust => true;

        public bool UseForHttps => true;

        public bool TrustCertificate => true;
    }
}
