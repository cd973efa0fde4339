namespace Hangar.Server; internal static class Placeholder { }
