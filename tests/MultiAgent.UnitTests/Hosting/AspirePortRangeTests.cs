using Aspire.Hosting;
using MultiAgent.Hosting.Local;

namespace MultiAgent.UnitTests.Hosting;

public sealed class AspirePortRangeTests
{
    [Fact]
    public void Aspire_chooses_ports_below_those_PortGuard_chooses_from()
    {
        var builder = DistributedApplication.CreateBuilder([]).WithAspirePortsBelowPortGuard();

        Assert.Equal("10000", builder.Configuration[AspirePortRange.StartSetting]);
        Assert.Equal((PortGuard.LowestChosen - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), builder.Configuration[AspirePortRange.EndSetting]);
    }

    [Theory]
    [InlineData(AspirePortRange.StartSetting, "40000")]
    [InlineData(AspirePortRange.EndSetting, "45000")]
    [InlineData("ASPIRE_PROXYLESS_ENDPOINT_PORT_RANGE", "40000-45000")]
    public void A_range_the_user_chose_stays(string key, string value)
    {
        var builder = DistributedApplication.CreateBuilder([$"--{key}={value}"]).WithAspirePortsBelowPortGuard();

        Assert.Equal(value, builder.Configuration[key]);
        Assert.True(AspirePortRange.ChosenByUser(builder.Configuration));
        if (key != AspirePortRange.StartSetting)
        {
            Assert.Null(builder.Configuration[AspirePortRange.StartSetting]);
        }
    }

    [Fact]
    public void Publish_mode_is_left_alone()
    {
        var output = Path.Combine(Path.GetTempPath(), "multiagent-unit-" + Guid.NewGuid().ToString("N"));
        var builder = DistributedApplication.CreateBuilder(["--publisher", "manifest", "--output-path", output]).WithAspirePortsBelowPortGuard();

        Assert.Null(builder.Configuration[AspirePortRange.StartSetting]);
    }
}
