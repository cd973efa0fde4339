namespace Hangar.Vault;
