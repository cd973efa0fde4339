using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;
using Hangar.Vault;

namespace Hangar.Server.Resources.Vaults;

/// <summary>
/// An update of a credential's <c>auth</c>: same <c>type</c>; secrets replaced when given (a JSON null
/// changes nothing); the matching key (URL, secret name) and the OAuth client (<c>client_id</c>,
/// <c>token_endpoint</c>, <c>resource</c>) are immutable — archive and recreate to change them, though
/// repeating the current value is accepted.
/// </summary>
public static class CredentialAuthUpdate
{
    public sealed record Result(JsonObject Wire, Dictionary<string, string> SecretChanges);

    public static Result Apply(JsonObject current, JsonObject update)
    {
        var currentType = (string)current["type"]!;
        var type = JsonFields.Discriminator(update, "auth", CredentialAuth.Types);
        if (type != currentType)
        {
            throw new InvalidRequestException(
                $"auth.type: a {currentType} credential cannot become {type}; archive it and create a new credential.", "invalid_config_type_change");
        }
        var next = (JsonObject)current.DeepClone();
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (type)
        {
            case "static_bearer":
                JsonFields.RejectUnknown(update, "auth", "type", "mcp_server_url", "token");
                Immutable(update, current, "mcp_server_url", "auth");
                SetSecret(update, "token", "auth", secrets);
                break;
            case "mcp_oauth":
                JsonFields.RejectUnknown(update, "auth", "type", "mcp_server_url", "access_token", "expires_at", "refresh");
                Immutable(update, current, "mcp_server_url", "auth");
                SetSecret(update, "access_token", "auth", secrets);
                if (JsonFields.Has(update, "expires_at"))
                {
                    next["expires_at"] = CredentialAuth.ExpiresAt(update, "auth");
                }
                if (JsonFields.OptionalObject(update, "refresh", "auth") is { } refresh)
                {
                    next["refresh"] = Refresh(current["refresh"] as JsonObject, refresh, secrets);
                }
                break;
            default:
                JsonFields.RejectUnknown(update, "auth", "type", "secret_name", "secret_value", "networking", "injection_location");
                Immutable(update, current, "secret_name", "auth");
                SetSecret(update, "secret_value", "auth", secrets);
                if (JsonFields.OptionalObject(update, "networking", "auth") is { } networking)
                {
                    next["networking"] = CredentialAuth.Networking(networking, "auth.networking");
                }
                next["injection_location"] = CredentialAuth.InjectionLocation(
                    JsonFields.OptionalObject(update, "injection_location", "auth"), (JsonObject)current["injection_location"]!);
                break;
        }
        return new Result(next, secrets);
    }

    private static JsonObject Refresh(JsonObject? current, JsonObject update, Dictionary<string, string> secrets)
    {
        const string path = "auth.refresh";
        if (current is null)
        {
            throw new InvalidRequestException(
                $"{path}: this credential was created without a refresh configuration, and its OAuth client can't be added later; archive it and create a new one.");
        }
        JsonFields.RejectUnknown(update, path, "refresh_token", "scope", "token_endpoint_auth", "client_id", "token_endpoint", "resource");
        Immutable(update, current, "client_id", path);
        Immutable(update, current, "token_endpoint", path);
        Immutable(update, current, "resource", path);
        var next = (JsonObject)current.DeepClone();
        SetSecret(update, "refresh_token", path, secrets);
        if (JsonFields.Has(update, "scope"))
        {
            next["scope"] = JsonFields.OptionalString(update, "scope", 4096, path);
        }
        if (JsonFields.OptionalObject(update, "token_endpoint_auth", path) is { } endpointAuth)
        {
            var currentType = (string?)current["token_endpoint_auth"]?["type"];
            var (type, clientSecret) = CredentialAuth.EndpointAuth(endpointAuth, $"{path}.token_endpoint_auth", requireSecret: false);
            // Switching to a secret-based method needs the secret; keeping the method may keep the stored one.
            if (clientSecret is null && type != "none" && currentType != type && currentType == "none")
            {
                throw new InvalidRequestException($"{path}.token_endpoint_auth.client_secret: Field required when switching to {type}.");
            }
            if (clientSecret is not null)
            {
                secrets["client_secret"] = clientSecret;
            }
            next["token_endpoint_auth"] = new JsonObject { ["type"] = type };
        }
        return next;
    }

    private static void SetSecret(JsonObject update, string name, string path, Dictionary<string, string> secrets)
    {
        if (JsonFields.OptionalString(update, name, CredentialAuth.MaxSecretLength, path, minLength: 1) is { } value)
        {
            secrets[name] = value;
        }
    }

    private static void Immutable(JsonObject update, JsonObject current, string name, string path)
    {
        if (!JsonFields.Has(update, name))
        {
            return;
        }
        var given = update[name];
        var same = name == "mcp_server_url"
            ? McpServerUrl.Same((string?)given, (string?)current[name])
            : JsonNode.DeepEquals(given, current[name]);
        if (!same)
        {
            throw new InvalidRequestException(
                $"{JsonFields.Path(path, name)}: cannot be changed; archive this credential and create a new one.");
        }
    }
}
