using System.Text;

namespace Hangar.Conformance.Tests.Harness.Vaults;

/// <summary>
/// Tees the process's stdout and stderr into memory. The server logs only to the console (its
/// options take no logger provider), and the console logger binds <see cref="Console.Out"/> when the
/// server is built, so this must be installed before. Output still reaches the real console.
/// </summary>
public static class ConsoleCapture
{
    private static readonly StringBuilder Captured = new();
    private static readonly Lock Gate = new();
    private static bool _installed;

    public static void Install()
    {
        lock (Gate)
        {
            if (_installed)
            {
                return;
            }
            Console.SetOut(new Tee(Console.Out));
            Console.SetError(new Tee(Console.Error));
            _installed = true;
        }
    }

    /// <summary>Everything written to the console since <see cref="Install"/>.</summary>
    public static string Text
    {
        get
        {
            lock (Gate)
            {
                return Captured.ToString();
            }
        }
    }

    private sealed class Tee(TextWriter inner) : TextWriter
    {
        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            lock (Gate)
            {
                Captured.Append(value);
            }
            inner.Write(value);
        }

        public override void Write(string? value)
        {
            lock (Gate)
            {
                Captured.Append(value);
            }
            inner.Write(value);
        }

        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

        public override void WriteLine(string? value) => Write(value + Environment.NewLine);

        public override void Flush() => inner.Flush();
    }
}
