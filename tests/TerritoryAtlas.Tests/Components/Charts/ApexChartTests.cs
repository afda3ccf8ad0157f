using Bunit;
using TerritoryAtlas.Web.Components.Charts;
using TerritoryAtlas.Tests.Indicators;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Tests.Components.Charts;

/// <summary>The chart component's contract with charts.js, in strict mode: any call not set up here fails the test.</summary>
public sealed class ApexChartTests : BunitTest
{
    private readonly BunitJSModuleInterop _module;

    public ApexChartTests()
    {
        Context.JSInterop.Mode = JSRuntimeMode.Strict;
        _module = Context.JSInterop.SetupModule(ApexChart.ModulePath);
        _module.SetupVoid("create", _ => true).SetVoidResult();
        _module.SetupVoid("update", _ => true).SetVoidResult();
        _module.SetupVoid("destroy", _ => true).SetVoidResult();
        _module.SetupVoid("exportPng", _ => true).SetVoidResult();
        _module.SetupVoid("exportSvg", _ => true).SetVoidResult();
    }

    private static (ApexOptions, ChartNumberFormat) Chart(double last = 12.5) => SeriesChartOptions.From(SeriesTestData.Series(last));

    [Fact]
    public void The_first_render_creates_the_chart_with_the_typed_options_and_number_format()
    {
        var (options, format) = Chart();
        Context.Render<ApexChart>(p => p.Add(x => x.Options, options).Add(x => x.Format, format));

        var create = _module.VerifyInvoke("create");
        Assert.Same(options, create.Arguments[1]);
        Assert.Same(format, create.Arguments[2]);
        _module.VerifyNotInvoke("update");
    }

    [Fact]
    public void New_options_update_the_chart_in_place_and_the_same_options_do_not()
    {
        var (options, format) = Chart();
        var chart = Context.Render<ApexChart>(p => p.Add(x => x.Options, options).Add(x => x.Format, format));

        chart.Render(p => p.Add(x => x.Options, options).Add(x => x.Format, format));
        _module.VerifyNotInvoke("update");

        var (other, otherFormat) = Chart(last: 14);
        chart.Render(p => p.Add(x => x.Options, other).Add(x => x.Format, otherFormat));
        var update = _module.VerifyInvoke("update");
        Assert.Same(other, update.Arguments[1]);
        _module.VerifyInvoke("create", calledTimes: 1);
    }

    [Fact]
    public async Task Exports_ask_the_module_for_a_png_and_an_svg_with_the_file_name()
    {
        var (options, format) = Chart();
        var chart = Context.Render<ApexChart>(p => p.Add(x => x.Options, options).Add(x => x.Format, format));

        await chart.InvokeAsync(() => chart.Instance.ExportPngAsync("serie.png"));
        await chart.InvokeAsync(() => chart.Instance.ExportSvgAsync("serie.svg"));

        Assert.Equal("serie.png", _module.VerifyInvoke("exportPng").Arguments[1]);
        Assert.Equal("serie.svg", _module.VerifyInvoke("exportSvg").Arguments[1]);
    }

    [Fact]
    public async Task Disposing_the_component_destroys_the_chart()
    {
        var (options, format) = Chart();
        Context.Render<ApexChart>(p => p.Add(x => x.Options, options).Add(x => x.Format, format));

        await Context.DisposeComponentsAsync();

        _module.VerifyInvoke("destroy");
    }
}
