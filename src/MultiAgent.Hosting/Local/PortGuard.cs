using System.Net;
using System.Net.Sockets;

namespace MultiAgent.Hosting.Local;

/// <summary>Checks, before anything starts, that a fixed port is free, so a clash is reported by name; finds a free one.</summary>
public static class PortGuard
{
    public static void EnsureFree(int port, string usedFor, string settingName)
    {
        try
        {
            ListenBriefly(port);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            throw new LocalPrerequisiteException(
                $"Port {port} ({usedFor}) is already in use on this machine. Stop whatever listens on it " +
                $"(e.g. 'ss -ltnp sport = :{port}'), or choose another port with MultiAgent:{settingName}.");
        }
    }

    /// <summary>The first port of the range chosen from when the system's ephemeral ports start at or below it.</summary>
    public const int LowestChosen = 20000;

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A port free on 127.0.0.1 now, for a listener whose port must be known before its process starts (a configuration
    /// file names it) when ports are not fixed. It is chosen below the system's ephemeral range (Linux:
    /// <c>net.ipv4.ip_local_port_range</c>, 32768-60999 by default): a port the system handed out for a bind to port 0
    /// comes from that range, and between this choice and the listener's start any outgoing connection on the machine
    /// could be given it; one below the range no connection takes. Where the range leaves no room, the system picks.
    /// </summary>
    /// <remarks>
    /// A port is free when chosen but taken only when its process starts, so a port this process handed out before is
    /// never handed out again: the ports of one AppHost (a cluster's client, route and WebSocket listeners), and those of
    /// several AppHosts in one process (the test suite's), would otherwise meet by chance, and the second server to bind
    /// would fail to start.
    /// </remarks>
    public static int FindFree()
    {
        lock (HandedOut)
        {
            return FindFree(EphemeralRangeStart(), Random.Shared, HandedOut);
        }
    }

    /// <summary>
    /// <see cref="FindFree()"/> for a system whose ephemeral ports start at <paramref name="ephemeralStart"/>, passing
    /// over the ports in <paramref name="handedOut"/> and adding the one chosen to it.
    /// </summary>
    public static int FindFree(int ephemeralStart, Random random, ISet<int> handedOut)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(handedOut);
        if (ephemeralStart - LowestChosen >= 1000)
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                var port = random.Next(LowestChosen, ephemeralStart);
                if (!handedOut.Contains(port) && IsFree(port))
                {
                    handedOut.Add(port);
                    return port;
                }
            }
        }

        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            handedOut.Add(port);
            return port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            ListenBriefly(port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // Listens on the port of 127.0.0.1 and lets it go at once; throws what a listener there would meet.
    private static void ListenBriefly(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        listener.Stop();
    }

    // The first port of Linux's ephemeral range; where it cannot be read, the range's usual start.
    private static int EphemeralRangeStart()
    {
        const int usualStart = 32768;
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return range.Length > 0 && int.TryParse(range[0], out var start) ? start : usualStart;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return usualStart;
        }
    }
}
