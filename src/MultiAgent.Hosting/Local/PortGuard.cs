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
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            throw new LocalPrerequisiteException(
                $"Port {port} ({usedFor}) is already in use on this machine. Stop whatever listens on it " +
                $"(e.g. 'ss -ltnp sport = :{port}'), or choose another port with MultiAgent:{settingName}.");
        }
    }

    /// <summary>
    /// A port free on 127.0.0.1 now (the system picks it), for a listener whose port must be known before its process
    /// starts (a configuration file names it) when ports are not fixed.
    /// </summary>
    public static int FindFree()
    {
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
}
