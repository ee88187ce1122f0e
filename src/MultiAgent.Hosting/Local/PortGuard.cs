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

    /// <summary>
    /// A port free on 127.0.0.1 now, for a listener whose port must be known before its process starts (a configuration
    /// file names it) when ports are not fixed. It is chosen below the system's ephemeral range (Linux:
    /// <c>net.ipv4.ip_local_port_range</c>, 32768-60999 by default): a port the system handed out for a bind to port 0
    /// comes from that range, and between this choice and the listener's start any outgoing connection on the machine
    /// could be given it; one below the range no connection takes. Where the range leaves no room, the system picks.
    /// </summary>
    public static int FindFree() => FindFree(EphemeralRangeStart(), Random.Shared);

    /// <summary><see cref="FindFree()"/> for a system whose ephemeral ports start at <paramref name="ephemeralStart"/>.</summary>
    public static int FindFree(int ephemeralStart, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (ephemeralStart - LowestChosen >= 1000)
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                var port = random.Next(LowestChosen, ephemeralStart);
                if (IsFree(port))
                {
                    return port;
                }
            }
        }

        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
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
