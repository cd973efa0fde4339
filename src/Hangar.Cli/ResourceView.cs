using System.Text.Json.Nodes;
using Spectre.Console;

namespace Hangar.Cli;

/// <summary>A column of a list table: its header and how to read it from one resource.</summary>
internal sealed record Column(string Header, Func<JsonNode, string?> Read)
{
    public static Column Field(string header, string path) => new(header, node => ResourceView.Text(ResourceView.At(node, path)));
}

/// <summary>Human views of API resources: a table for a page, a two-column grid for one object.</summary>
internal static class ResourceView
{
    public static void Table(IAnsiConsole console, JsonNode page, IReadOnlyList<Column> columns)
    {
        var data = page["data"]?.AsArray() ?? [];
        if (data.Count == 0)
        {
            Terminal.Err.MarkupLine("[grey]Nothing here yet.[/]");
            return;
        }
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in columns)
        {
            table.AddColumn(column.Header);
        }
        foreach (var item in data.OfType<JsonNode>())
        {
            table.AddRow(columns.Select(c => Markup.Escape(c.Read(item) ?? "")).ToArray());
        }
        console.Write(table);
        if (page["next_page"] is JsonValue next && next.GetValue<string>() is { Length: > 0 } cursor)
        {
            Terminal.Err.MarkupLine($"[grey]More results: --page {Markup.Escape(cursor)}[/]");
        }
    }

    public static void Object(IAnsiConsole console, JsonNode resource)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var (key, value) in resource.AsObject())
        {
            grid.AddRow($"[bold]{Markup.Escape(key)}[/]", Markup.Escape(Text(value) ?? "null"));
        }
        console.Write(grid);
    }

    /// <summary>Follows a dotted path (<c>model.id</c>); null when any step is missing.</summary>
    public static JsonNode? At(JsonNode node, string path)
    {
        JsonNode? current = node;
        foreach (var part in path.Split('.'))
        {
            current = current is JsonObject obj ? obj[part] : null;
        }
        return current;
    }

    /// <summary>Strings as themselves, everything else as compact JSON.</summary>
    public static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };
}
