using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Reelay.Tests.Infrastructure;

/// <summary>
/// A throw-away PKI for the HTTPS asset server: a test root CA, a server certificate it signed, and a
/// self-signed look-alike that nobody signed. Generated in memory once per process (no openssl, nothing
/// installed in any machine trust store); only the CA's public certificate is written to disk, as PEM,
/// so the server under test can be told to trust it (<c>Assets:TrustedCaFile</c>).
/// </summary>
public static class TestCertificates
{
    /// <summary>Names every server certificate here is valid for (plus IP 127.0.0.1).</summary>
    public static readonly IReadOnlyList<string> DnsNames = ["localhost", "*.assets.test", "assets.test"];

    // ExecutionAndPublication: key generation runs exactly once even when parallel test classes race for it.
    private static readonly Lazy<Material> Instance = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The test root CA, public part only (no private key: nothing should sign with it later).</summary>
    public static X509Certificate2 CaCertificate => Instance.Value.Ca;

    /// <summary>Path of a temp file holding <see cref="CaCertificate"/> as PEM; deleted at process exit.</summary>
    public static string CaPemFile => Instance.Value.CaPemFile;

    /// <summary>Server certificate signed by the test CA, with a private key Kestrel/SslStream can use.</summary>
    public static X509Certificate2 ServerCertificate => Instance.Value.Server;

    /// <summary>Self-signed certificate for the same names; fails validation when only the test CA is trusted.</summary>
    public static X509Certificate2 UntrustedServerCertificate => Instance.Value.Untrusted;

    private sealed record Material(X509Certificate2 Ca, string CaPemFile, X509Certificate2 Server, X509Certificate2 Untrusted);

    private static Material Create()
    {
        var now = DateTimeOffset.UtcNow;

        // ECDSA P-256 rather than RSA: key generation is near-instant, and Kestrel, SslStream and
        // OpenSSL all accept it.
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Reelay Test Root CA, O=Reelay Tests", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(
            certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, critical: false));
        // The CA outlives the leaf: a leaf's validity must sit inside its issuer's.
        using var caWithKey = caRequest.CreateSelfSigned(now.AddDays(-2), now.AddDays(365));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = ServerRequest("CN=localhost, O=Reelay Tests", serverKey);
        // AKI lets chain builders match the leaf to the CA by key id, not just by issuer name.
        serverRequest.CertificateExtensions.Add(
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caWithKey, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var signed = serverRequest.Create(caWithKey, now.AddDays(-1), now.AddDays(30), NewSerialNumber());
        using var signedWithKey = signed.CopyWithPrivateKey(serverKey);

        using var untrustedKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var selfSigned = ServerRequest("CN=localhost, O=Nobody Signed This", untrustedKey)
            .CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        var ca = X509CertificateLoader.LoadCertificate(caWithKey.RawData);
        var caPemFile = Path.Combine(Path.GetTempPath(), $"reelay-test-ca-{Environment.ProcessId}-{Guid.NewGuid():N}.pem");
        File.WriteAllText(caPemFile, ca.ExportCertificatePem());
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(caPemFile);

        return new Material(ca, caPemFile, Reimport(signedWithKey), Reimport(selfSigned));
    }

    private static CertificateRequest ServerRequest(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dnsName in DnsNames)
        {
            names.AddDnsName(dnsName);
        }
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build(critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request;
    }

    // Certificates from CertificateRequest carry an ephemeral key handle that SslStream on Linux
    // cannot always use for the handshake; a PKCS#12 round trip yields a normally-loaded key.
    private static X509Certificate2 Reimport(X509Certificate2 certificateWithKey) =>
        X509CertificateLoader.LoadPkcs12(certificateWithKey.Export(X509ContentType.Pkcs12), null);

    private static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        // Positive (DER integers are signed) and non-zero leading byte (DER wants minimal encoding).
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        return serial;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a stray temp file is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
