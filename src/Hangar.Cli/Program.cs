using System.CommandLine;
using Hangar.Cli.Commands;

var root = new RootCommand("Hangar: a self-hosted server for the Claude Managed Agents API, and its client.");
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(WorkerCommand.Create());
root.Subcommands.Add(DoctorCommand.Create());
root.Subcommands.Add(KeysCommand.Create());
root.Subcommands.Add(EnvKeysCommand.Create());
root.Subcommands.Add(RunnerCommand.Create());
root.Subcommands.Add(WorkCommand.Create());
root.Subcommands.Add(VaultCommand.Create());
root.Subcommands.Add(ResourceCommands.Agents());
root.Subcommands.Add(ResourceCommands.Environments());
root.Subcommands.Add(SessionCommands.Create());
root.Subcommands.Add(DemoCommand.Create());

// Ctrl-C cancels the action's token; give a server time to drain open streams before the
// process is torn down.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(10) };
return await root.Parse(args).InvokeAsync(invocation);
