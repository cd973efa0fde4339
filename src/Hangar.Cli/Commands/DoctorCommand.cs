using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hangar.Sandbox.Bubblewrap;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar doctor</c>: every host program and kernel feature bubblewrap sandboxes use, whether this host has it,
/// and how to fix what is missing. Exits 1 when a required item is missing (then <c>serve</c> and <c>worker</c>
/// refuse to start too), else 0. Runs the same checks as start-up, as the current user with the current PATH.
/// </summary>
internal static class DoctorCommand
{
    private static readonly JsonSerializerOptions Readable = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the checks as JSON" };
        var command = new Command("doctor", "Check that this host has everything bubblewrap sandboxes need, and say how to fix what is missing") { json };
        command.SetAction(parse => Run(parse.GetValue(json)));
        return command;
    }

    private static int Run(bool json)
    {
        HostReport report;
        try
        {
            report = HostRequirements.Check(UnrestrictedNetworkSetting.Parse(Environment.GetEnvironmentVariable(UnrestrictedNetworkSetting.Variable)));
        }
        catch (ArgumentException e)
        {
            Terminal.Error(e.Message);
            return 1;
        }
        if (json)
            Console.Out.WriteLine(Json(report).ToJsonString(Readable));
        else
            Print(report);
        return report.Usable ? 0 : 1;
    }

    private static void Print(HostReport report)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var header in new[] { "Item", "Status", "Need", "Used for", "Found / fix" })
            table.AddColumn(header);
        foreach (var item in report.Items)
        {
            var found = item.IsMissing ? $"{Markup.Escape(item.Detail)}\n[bold]fix:[/] {Markup.Escape(item.Fix)}" : Markup.Escape(item.Detail);
            table.AddRow(Markup.Escape(item.Name), StatusMarkup(item), Need(item.Need), Markup.Escape(item.UsedFor), found);
        }
        Terminal.Out.Write(table);
        var missing = report.MissingRequired.Select(i => i.Name).ToList();
        if (missing.Count == 0)
            Terminal.Err.MarkupLine("[green]Bubblewrap sandboxes can run on this host.[/]");
        else
            Terminal.Err.MarkupLine($"[red]Bubblewrap sandboxes can't run on this host[/]: {Markup.Escape(string.Join(", ", missing))} missing. "
                + "Apply the fixes above, or start with [bold]--sandbox local[/] to run tools in plain directories ([red]not isolated[/]).");
    }

    private static string StatusMarkup(HostRequirement item) => item.Status switch
    {
        HostStatus.Ok => "[green]ok[/]",
        HostStatus.Missing when item.Need == HostNeed.Required => "[red]missing[/]",
        HostStatus.Missing => "[yellow]missing[/]",
        _ => "[grey]not checked[/]",
    };

    private static string Need(HostNeed need) => need switch
    {
        HostNeed.Required => "required",
        HostNeed.Optional => "optional",
        _ => "on demand",
    };

    private static JsonObject Json(HostReport report) => new()
    {
        ["usable"] = report.Usable,
        ["items"] = new JsonArray([.. report.Items.Select(item => (JsonNode)new JsonObject
        {
            ["name"] = item.Name,
            ["status"] = item.Status switch { HostStatus.Ok => "ok", HostStatus.Missing => "missing", _ => "not_checked" },
            ["need"] = Need(item.Need).Replace(' ', '_'),
            ["used_for"] = item.UsedFor,
            ["detail"] = item.Detail,
            ["fix"] = item.IsMissing ? item.Fix : null,
        })]),
    };
}
