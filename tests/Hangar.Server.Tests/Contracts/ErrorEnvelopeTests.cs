using System.Text.Json;
using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Contracts.Serialization;

namespace Hangar.Server.Tests.Contracts;

public sealed class ErrorEnvelopeTests
{
    [Fact]
    public void Details_beside_the_error_code_are_written_inline()
    {
        var details = new ErrorDetails { ErrorCode = "heartbeat_precondition_failed", More = new() { ["current_state"] = JsonSerializer.SerializeToElement(new JsonObject { ["state"] = "active" }) } };
        var envelope = new ErrorEnvelope(new ErrorBody("invalid_request_error", "stale") { Details = details }, "req_1");

        var json = JsonNode.Parse(WireJson.Serialize(envelope))!;

        Assert.Equal("heartbeat_precondition_failed", (string?)json["error"]!["details"]!["error_code"]);
        Assert.Equal("active", (string?)json["error"]!["details"]!["current_state"]!["state"]);
    }
}
