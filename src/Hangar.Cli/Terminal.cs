using Spectre.Console;

namespace Hangar.Cli;

/// <summary>
/// The two consoles: stdout carries results (ids, keys, JSON) so commands compose in scripts;
/// stderr carries progress, hints and errors.
/// </summary>
internal static class Terminal
{
    public static IAnsiConsole Out { get; } = Create(Console.Out, Console.IsOutputRedirected);

    public static IAnsiConsole Err { get; } = Create(Console.Error, Console.IsErrorRedirected);

    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        // Piped output has no width; don't wrap lines at the 80-column default.
        if (redirected)
        {
            console.Profile.Width = 1000;
        }
        return console;
    }

    public static void Error(string message) =>
        Err.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
}
