namespace Hangar.Server.Tests.Validation;

/// <summary>
/// One write route of the Managed Agents API, the SDK request type that describes its body, and the
/// smallest valid body (fields the route requires). <c>{name}</c> placeholders are filled from
/// <see cref="ValidationSeed"/>.
/// </summary>
public sealed record SdkRoute(string ParamsType, string Path, string BaseBody)
{
    public override string ToString() => $"POST {Path}";
}

/// <summary>
/// The routes whose bodies the SDK's request types describe, and a valid value for each field. Fields are
/// found by reflection (<see cref="SdkRequestFields"/>); only the valid values are written here, by field
/// name (<c>route type:field</c> where a route needs its own). A field an SDK upgrade adds and this table
/// does not know gets a value by its C# type, so it is still tested.
/// </summary>
public static class SdkRoutes
{
    public static readonly SdkRoute[] All =
    [
        new("Agents.AgentCreateParams", "/v1/agents", """{"name":"validation","model":"claude-sonnet-4-6"}"""),
        new("Agents.AgentUpdateParams", "/v1/agents/{agent}", "{}"),
        new("Environments.EnvironmentCreateParams", "/v1/environments", """{"name":"{unique}"}"""),
        new("Environments.EnvironmentUpdateParams", "/v1/environments/{env}", "{}"),
        new("Sessions.SessionCreateParams", "/v1/sessions", """{"agent":"{agent}","environment_id":"{env}"}"""),
        new("Sessions.SessionUpdateParams", "/v1/sessions/{session}", "{}"),
        new("Sessions.Events.EventSendParams", "/v1/sessions/{session}/events",
            """{"events":[{"type":"user.message","content":[{"type":"text","text":"hi"}]}]}"""),
        new("Sessions.Resources.ResourceAddParams", "/v1/sessions/{session}/resources",
            """{"type":"file","file_id":"{file}","mount_path":"/mnt/session/uploads/base-{unique}.txt"}"""),
        new("Sessions.Resources.ResourceUpdateParams", "/v1/sessions/{session}/resources/{repository}", """{"authorization_token":"ghp_new"}"""),
        new("Vaults.VaultCreateParams", "/v1/vaults", """{"display_name":"validation"}"""),
        new("Vaults.VaultUpdateParams", "/v1/vaults/{vault}", "{}"),
        new("Vaults.Credentials.CredentialCreateParams", "/v1/vaults/{vault}/credentials",
            """{"auth":{"type":"static_bearer","mcp_server_url":"https://mcp.example.com/{unique}","token":"t"}}"""),
        new("Vaults.Credentials.CredentialUpdateParams", "/v1/vaults/{vault}/credentials/{credential}", "{}"),
    ];

    private static readonly Dictionary<string, string> ValidValues = new(StringComparer.Ordinal)
    {
        ["name"] = "\"n-{unique}\"",
        ["model"] = "\"claude-sonnet-4-6\"",
        ["description"] = "\"described\"",
        ["system"] = "\"Be brief.\"",
        ["tools"] = """[{"type":"agent_toolset_20260401"}]""",
        ["mcp_servers"] = "[]",
        ["skills"] = "[]",
        ["multiagent"] = "null",
        ["execution_identity"] = """{"type":"service_account"}""",
        ["metadata"] = """{"team":"platform"}""",
        ["version"] = "{agent_version}",
        ["config"] = """{"type":"cloud","networking":{"type":"unrestricted"}}""",
        ["scope"] = "\"account\"",
        ["agent"] = "\"{agent}\"",
        ["Sessions.SessionUpdateParams:agent"] = """{"tools":[{"type":"agent_toolset_20260401"}]}""",
        ["environment_id"] = "\"{env}\"",
        ["budget"] = """{"type":"limit","max_list_cost":{"amount":"5000","currency":"USD"}}""",
        // A budget can't be added to a budget-less session (budget_create_only); null (remove) is the valid update.
        ["Sessions.SessionUpdateParams:budget"] = "null",
        ["initial_events"] = """[{"type":"user.message","content":[{"type":"text","text":"hi"}]}]""",
        ["resources"] = """[{"type":"file","file_id":"{file}"}]""",
        ["title"] = "\"A title\"",
        ["vault_ids"] = "[\"{vault}\"]",
        ["events"] = """[{"type":"user.message","content":[{"type":"text","text":"hi"}]}]""",
        ["type"] = "\"file\"",
        ["file_id"] = "\"{file}\"",
        ["mount_path"] = "\"/mnt/session/uploads/validation-{unique}.txt\"",
        ["authorization_token"] = "\"ghp_rotated\"",
        ["display_name"] = "\"Shown\"",
        ["auth"] = """{"type":"static_bearer","mcp_server_url":"https://mcp.example.com/{unique}","token":"t"}""",
        ["Vaults.Credentials.CredentialUpdateParams:auth"] = """{"type":"static_bearer","token":"t2"}""",
    };

    /// <summary>
    /// Fields the SDK can send that Hangar accepts as known but refuses by rule for this route, with the reason;
    /// the test checks the refusal names the field and is not "unknown field".
    /// </summary>
    public static readonly Dictionary<string, string> RefusedByRule = new(StringComparer.Ordinal)
    {
        ["Sessions.SessionUpdateParams:vault_ids"] = "vault_ids is reserved on update (api.md §7)",
    };

    public static string ValidValue(SdkRoute route, SdkField field) =>
        ValidValues.GetValueOrDefault($"{route.ParamsType}:{field.Name}")
            ?? ValidValues.GetValueOrDefault(field.Name)
            ?? ByType(field.Type);

    private static string ByType(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) ? "\"x\""
            : type == typeof(bool) ? "true"
            : type.IsPrimitive ? "1"
            : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) ? "[]"
            : "{}";
    }
}
