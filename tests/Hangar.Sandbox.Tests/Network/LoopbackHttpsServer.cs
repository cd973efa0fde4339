using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Hangar.Sandbox.Tests.Network;

/// <summary>
/// A Kestrel HTTPS server on 127.0.0.1 standing in for an internet API, with a certificate from a test CA.
/// Remembers what each request carried (Authorization, body, the TLS connection it came on) and answers
/// "ok &lt;path&gt;", never echoing what it received, so nothing it saw flows back into a sandbox.
/// </summary>
public sealed class LoopbackHttpsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackHttpsServer(WebApplication app) => _app = app;

    public sealed record Seen(string Path, string Host, string? Authorization, string Body, string ConnectionId);

    public int Port { get; private set; }

    public ConcurrentQueue<Seen> Requests { get; } = new();

    public static async Task<LoopbackHttpsServer> StartAsync(X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var server = new LoopbackHttpsServer(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            server.Requests.Enqueue(new Seen(context.Request.Path, context.Request.Host.Value ?? "",
                context.Request.Headers.Authorization.FirstOrDefault(), body, context.Connection.Id));
            await context.Response.WriteAsync($"ok {context.Request.Path}");
        });
        await app.StartAsync();
        server.Port = new Uri(app.Urls.Single()).Port;
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A test certificate authority (ECDSA P-256) and server certificates it issues for made-up names.</summary>
public sealed class TestCertificateAuthority : IDisposable
{
    public TestCertificateAuthority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(2));
    }

    public X509Certificate2 Certificate { get; }

    public string Pem => Certificate.ExportCertificatePem();

    public X509Certificate2 Issue(params string[] hosts)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hosts[0]}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
            names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(8);
        serial[0] &= 0x7F;
        using var issued = request.Create(Certificate, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), serial);
        return issued.CopyWithPrivateKey(key);
    }

    public void Dispose() => Certificate.Dispose();
}
