using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Hangar.Conformance.Tests.Harness.Sandboxed;

/// <summary>
/// The HTTPS twin of <see cref="RecordingHttpServer"/>: Kestrel on 127.0.0.1 with a certificate for 127.0.0.1 and
/// localhost from <see cref="Authority"/>, a test CA the fixture's egress proxy trusts as an extra upstream root.
/// </summary>
public sealed class RecordingHttpsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RecordingHttpsServer(WebApplication app) => _app = app;

    /// <summary>A test CA (ECDSA P-256, valid two days), made once per test run.</summary>
    public static X509Certificate2 Authority { get; } = CreateAuthority();

    public int Port { get; private set; }

    public ConcurrentQueue<RecordingHttpServer.Received> Requests { get; } = new();

    public static async Task<RecordingHttpsServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var certificate = Issue();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var server = new RecordingHttpsServer(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            server.Requests.Enqueue(new RecordingHttpServer.Received(context.Request.Path, context.Request.Headers["X-Key"].FirstOrDefault(), body));
            context.Response.StatusCode = 200;
        });
        await app.StartAsync();
        server.Port = new Uri(app.Urls.Single()).Port;
        return server;
    }

    private static X509Certificate2 CreateAuthority()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Hangar conformance upstream CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(2));
    }

    private static X509Certificate2 Issue()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(8);
        serial[0] &= 0x7F;
        using var issued = request.Create(Authority, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), serial);
        return issued.CopyWithPrivateKey(key);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
