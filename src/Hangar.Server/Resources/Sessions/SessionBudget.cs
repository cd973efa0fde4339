using System.Globalization;
using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Sessions;

/// <summary>
/// A session's spend cap: <c>{type:"limit", max_list_cost:{amount:"&lt;cents&gt;", currency:"USD"}}</c>.
/// Set at creation only; an update may raise it above what was consumed or remove it for good.
/// </summary>
public static class SessionBudget
{
    public static JsonObject Parse(JsonNode? node, string at)
    {
        var budget = node as JsonObject
            ?? throw new InvalidRequestException($"{at}: expected an object, got {JsonFields.Describe(node)}.");
        JsonFields.Discriminator(budget, at, "limit");
        var costAt = JsonFields.Path(at, "max_list_cost");
        var cost = JsonFields.OptionalObject(budget, "max_list_cost", at)
            ?? throw new InvalidRequestException($"{costAt}: Field required.");
        var amount = JsonFields.RequiredString(cost, "amount", 18, costAt);
        if (!long.TryParse(amount, NumberStyles.None, CultureInfo.InvariantCulture, out var cents) || cents <= 0)
        {
            throw new InvalidRequestException($"{costAt}.amount: expected a positive whole number of cents as a string, such as \"5000\".");
        }
        var currency = JsonFields.RequiredString(cost, "currency", 8, costAt);
        if (currency != "USD")
        {
            throw new InvalidRequestException($"{costAt}.currency: only USD is supported.");
        }
        return new JsonObject
        {
            ["type"] = "limit",
            ["max_list_cost"] = new JsonObject { ["amount"] = cents.ToString(CultureInfo.InvariantCulture), ["currency"] = "USD" },
        };
    }

    /// <summary>Applies an update's <c>budget</c> (present in the request) to the session; returns whether it changed.</summary>
    public static bool Update(JsonObject session, JsonNode? requested)
    {
        var current = session["budget"] as JsonObject;
        if (requested is null)
        {
            session["budget"] = null;
            return current is not null;
        }
        var budget = Parse(requested, "budget");
        if (current is null)
        {
            throw new InvalidRequestException(
                "budget: a budget can only be set when the session is created (budget_create_only).", "budget_create_only");
        }
        var consumed = long.Parse((string?)session["usage"]?["list_cost"]?["amount"] ?? "0", CultureInfo.InvariantCulture);
        var limit = long.Parse((string)budget["max_list_cost"]!["amount"]!, CultureInfo.InvariantCulture);
        if (limit <= consumed)
        {
            throw new InvalidRequestException(
                $"budget: the new limit ({limit}) must be above the cost already consumed ({consumed}) (budget_not_raised).", "budget_not_raised");
        }
        session["budget"] = budget;
        return !JsonNode.DeepEquals(current, budget);
    }
}
