using Hangar.FakeModel;

namespace Hangar.Interop.Tests.Hosting;

public static class ScriptEnvironment
{
    /// <summary>The environment a flow needs to build its agent with this script's prompt.</summary>
    public static Dictionary<string, string> Env(this ModelScript script) => new() { ["HANGAR_SYSTEM_PROMPT"] = script.SystemPrompt };
}
