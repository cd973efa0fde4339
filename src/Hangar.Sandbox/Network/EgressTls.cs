using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Hangar.Sandbox.Network;

/// <summary>
/// The two TLS legs of an intercepted CONNECT: upstream, a client handshake with the host's normal certificate
/// validation (plus <see cref="EgressProxyOptions.UpstreamTrustedRoots"/>, never "accept any"); toward the
/// sandbox, a server handshake with a leaf minted by the instance's <see cref="SandboxCertificateAuthority"/>.
/// Both offer only HTTP/1.1 in ALPN: the swap reads HTTP/1.1 request heads.
/// </summary>
internal static class EgressTls
{
    private static readonly List<SslApplicationProtocol> Http11Only = [SslApplicationProtocol.Http11];

    /// <summary>The verified upstream stream, or the reason the proxy must not send the request there.</summary>
    public static async Task<(SslStream? Stream, string? Failure)> ConnectUpstreamAsync(
        Stream upstream, EgressTarget target, EgressProxyOptions options, CancellationToken ct)
    {
        string? rejected = null;
        var tls = new SslStream(upstream, leaveInnerStreamOpen: true);
        var authentication = new SslClientAuthenticationOptions
        {
            // An IP literal sends no SNI and is checked against the certificate's IP addresses.
            TargetHost = target.Host,
            ApplicationProtocols = Http11Only,
            // As HttpClient by default: an online CRL/OCSP fetch would stall every intercepted request.
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (errors == SslPolicyErrors.None || TrustedByExtraRoots(certificate, errors, options.UpstreamTrustedRoots))
                {
                    return true;
                }

                rejected = errors.ToString();
                return false;
            },
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await tls.AuthenticateAsClientAsync(authentication, timeout.Token);
            return (tls, null);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            await tls.DisposeAsync();
            var why = rejected is not null ? $"its certificate is not trusted ({rejected})"
                : timeout.IsCancellationRequested ? "the TLS handshake timed out"
                : $"the TLS handshake failed ({ex.Message})";
            return (null, $"TLS to {target.Host}:{target.Port} refused: {why}; the credential was not sent");
        }
    }

    /// <summary>The sandbox side: presents the minted certificate for the CONNECT host; null when the client gave up.</summary>
    public static async Task<SslStream?> AcceptClientAsync(
        Stream client, EgressTarget target, SandboxCertificateAuthority authority, TimeSpan timeoutAfter, CancellationToken ct)
    {
        var tls = new SslStream(client, leaveInnerStreamOpen: true);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(timeoutAfter);
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = authority.For(target),
                ApplicationProtocols = Http11Only,
                ClientCertificateRequired = false,
            }, timeout.Token);
            return tls;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            // Typically a client that does not trust the sandbox CA (certificate pinning, its own CA store).
            await tls.DisposeAsync();
            return null;
        }
    }

    /// <summary>
    /// Only an untrusted chain (no name mismatch, no missing certificate) may be rescued, and only by a chain
    /// that ends in one of the operator's extra roots.
    /// </summary>
    private static bool TrustedByExtraRoots(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null || roots.Count == 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}
