using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Hangar.Sandbox.Network;

/// <summary>
/// The certificate authority of one sandbox instance's egress proxy, for terminating HTTPS to the hosts its
/// credentials name. Its key (ECDSA P-256) is made in this process's memory and never leaves it: nothing writes it
/// to disk and the sandbox receives only <see cref="CertificatePem"/>. A CA per instance means a sandbox trusts
/// no certificate another sandbox's proxy could mint, and the trust dies with the instance. Leaf certificates
/// (one per host name, SAN = the CONNECT host) are minted on first use and cached until close to expiry.
/// </summary>
internal sealed class SandboxCertificateAuthority : IDisposable
{
    /// <summary>Longer than a sandbox instance normally lives (one lease); short enough that a stray copy soon means nothing.</summary>
    private static readonly TimeSpan CaLifetime = TimeSpan.FromDays(30);
    private static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(1);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromHours(1);

    /// <summary>Backdating covers a client whose clock is a little behind (the sandbox shares the host's, other tools may not).</summary>
    private static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    private readonly X509Certificate2 _certificate;
    private readonly ConcurrentDictionary<string, Lazy<Leaf>> _leaves = new(StringComparer.Ordinal);

    private sealed record Leaf(X509Certificate2 Certificate, SslStreamCertificateContext Context);

    public SandboxCertificateAuthority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName("Hangar");
        subject.AddCommonName($"Hangar sandbox egress CA {name}");
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        // CreateSelfSigned keeps its own reference to the key: disposing ours leaves the certificate able to sign.
        _certificate = request.CreateSelfSigned(now - Backdate, now + CaLifetime);
        CertificatePem = _certificate.ExportCertificatePem();
    }

    /// <summary>The CA certificate (public part only), for the sandbox's trust bundle.</summary>
    public string CertificatePem { get; }

    /// <summary>The server certificate to present for <paramref name="target"/>'s host, minted once per host.</summary>
    public SslStreamCertificateContext For(EgressTarget target)
    {
        while (true)
        {
            var entry = _leaves.GetOrAdd(target.Host, _ => new Lazy<Leaf>(() => Mint(target)));
            var leaf = entry.Value;
            // A leaf already running to the CA's own end cannot be renewed: the instance must restart to get a new CA.
            if (leaf.Certificate.NotAfter - DateTime.Now > RenewBefore || leaf.Certificate.NotAfter >= _certificate.NotAfter)
            {
                return leaf.Context;
            }

            // Close to expiry: the next caller mints a fresh one. The old certificate stays undisposed, as a
            // handshake may still hold it; expiry is rare enough that this is no leak worth tracking.
            _leaves.TryRemove(new KeyValuePair<string, Lazy<Leaf>>(target.Host, entry));
        }
    }

    private Leaf Mint(EgressTarget target)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(target.Host);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        if (target.Literal is { } address)
        {
            names.AddIpAddress(address);
        }
        else
        {
            names.AddDnsName(target.Host);
        }

        request.CertificateExtensions.Add(names.Build(true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_certificate, true, false));
        var now = DateTimeOffset.UtcNow;
        var notAfter = Min(now + LeafLifetime, _certificate.NotAfter);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        using var issued = request.Create(_certificate, now - Backdate, notAfter, serial);
        var certificate = issued.CopyWithPrivateKey(key);
        // offline: never fetch anything to build the chain; the sandbox already trusts the CA.
        return new Leaf(certificate, SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true));
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTime b) => a.UtcDateTime < b.ToUniversalTime() ? a : new DateTimeOffset(b.ToUniversalTime());

    public void Dispose()
    {
        foreach (var leaf in _leaves.Values.Where(l => l.IsValueCreated))
        {
            leaf.Value.Certificate.Dispose();
        }

        _certificate.Dispose();
    }
}
