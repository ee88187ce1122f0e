using System.Net;
using System.Net.Sockets;
using MultiAgent.Hosting.Local;

namespace MultiAgent.UnitTests.Hosting;

public sealed class PortGuardTests
{
    [Fact]
    public void A_free_port_is_chosen_below_the_ephemeral_range_where_no_outgoing_connection_can_take_it()
    {
        var port = PortGuard.FindFree(32768, new Random(7), new HashSet<int>());

        Assert.InRange(port, PortGuard.LowestChosen, 32767);
        using var listener = Listen(port);
    }

    [Fact]
    public void A_port_in_use_is_passed_over()
    {
        using var taken = Listen(0);
        var takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        var free = PortGuard.FindFree(32768, new Random(7), new HashSet<int>());

        var port = PortGuard.FindFree(65536, new Sequence(takenPort, free), new HashSet<int>());

        Assert.Equal(free, port);
    }

    [Fact]
    public void A_port_handed_out_before_is_not_chosen_again_though_nothing_listens_on_it_yet()
    {
        var handedOut = new HashSet<int>();
        var first = PortGuard.FindFree(32768, new Random(7), handedOut);

        // The same random draws: the first port is still free (its server has not started) but no longer on offer.
        var second = PortGuard.FindFree(32768, new Random(7), handedOut);

        Assert.NotEqual(first, second);
        Assert.True(handedOut.SetEquals([first, second]));
    }

    [Fact]
    public void With_no_room_below_the_ephemeral_range_the_system_picks()
    {
        var port = PortGuard.FindFree(PortGuard.LowestChosen + 10, new Sequence(), new HashSet<int>());

        using var listener = Listen(port);
        Assert.NotEqual(0, port);
    }

    private static TcpListener Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return listener;
    }

    /// <summary>Hands out the given ports in turn (and fails the test if asked for more).</summary>
    private sealed class Sequence(params int[] ports) : Random
    {
        private int _next;

        public override int Next(int minValue, int maxValue) =>
            _next < ports.Length ? ports[_next++] : throw new InvalidOperationException("asked for more ports than expected");
    }
}
