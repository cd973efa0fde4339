using System.CommandLine;
using Hangar.Storage;
using Hangar.Vault;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar vault rotate-key</c>: re-seals every stored credential secret and repository token under
/// <c>HANGAR_MASTER_KEY</c> (or, for SQLite without one, the generated key), opening them with
/// <c>HANGAR_MASTER_KEY_PREVIOUS</c> (see docs/security.md), and seals tokens older versions kept in plaintext.
/// Works on the store directly.
/// </summary>
internal static class VaultCommand
{
    public static Command Create()
    {
        var data = StoreArguments.Data();
        var database = StoreArguments.Database();
        var rotate = new Command("rotate-key", "Re-encrypt every vault secret and repository token under HANGAR_MASTER_KEY (old key in HANGAR_MASTER_KEY_PREVIOUS)");
        rotate.Options.Add(data);
        rotate.Options.Add(database);
        rotate.SetAction(async (parse, ct) =>
        {
            var store = StoreArguments.Resolve(parse, data, database);
            try
            {
                var cipher = MasterKeys.ForStore(store, notice => Terminal.Err.MarkupLine(Markup.Escape(notice)));
                await using var hangar = await HangarStore.OpenAsync(store, ct);
                var result = await KeyRotation.RotateAsync(hangar, cipher, TimeProvider.System, ct);
                Terminal.Err.MarkupLine(
                    $"Re-encrypted {result.Resealed} secret(s) under key [bold]{cipher.Current!.Id}[/] in {Markup.Escape(StoreArguments.Describe(store))}; " +
                    $"{result.AlreadyCurrent} already used it, {result.Skipped} changed meanwhile (already current).");
                Terminal.Err.MarkupLine(
                    $"Repository tokens: {result.TokensResealed} re-encrypted, {result.PlaintextTokensSealed} found in plaintext and encrypted, " +
                    $"{result.TokensAlreadyCurrent} already used the key.");
                if (result.TokenSessionsSkipped > 0)
                {
                    Terminal.Error($"{result.TokenSessionsSkipped} session(s) kept changing while their tokens were rewritten; run rotate-key again.");
                    return 1;
                }
                Terminal.Err.MarkupLine($"You can now remove {SecretCipher.PreviousKeyVariable} from the server's environment.");
                return 0;
            }
            catch (Exception e) when (e is VaultKeyException or SecretUnreadableException)
            {
                Terminal.Error(e.Message);
                return 1;
            }
        });
        var vault = new Command("vault", "Manage vault credential encryption");
        vault.Subcommands.Add(rotate);
        return vault;
    }
}
