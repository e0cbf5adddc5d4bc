import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatDateTime, deserializeDateTime } from "@web/core/l10n/dates";
import { View } from "@web/views/view";

/**
 * The Connectors dashboard: a card per backend of every installed connector (the
 * server lists them: connector.overview.get_overview), and the jobs per hour by
 * state below. Every figure and button calls the backend's own methods.
 */
export class ConnectorOverview extends Component {
    static template = "connector_base.ConnectorOverview";
    static components = { View };
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.notification = useService("notification");
        this.state = useState({ cards: [], graphKey: 0, loaded: false });
        onWillStart(() => this.load());
    }

    async load() {
        const overview = await this.orm.call("connector.overview", "get_overview", []);
        this.state.cards = overview.cards;
        this.graphDomain = overview.graph_domain;
        this.graphViewId = overview.graph_view_id;
        this.state.graphKey++;
        this.state.loaded = true;
    }

    get graphProps() {
        return {
            resModel: "connector.sync.job.hourly",
            type: "graph",
            views: [
                [this.graphViewId, "graph"],
                [false, "search"],
            ],
            domain: this.graphDomain,
            display: { controlPanel: false },
            context: { graph_mode: "bar", graph_stacked: true, graph_measure: "job_count" },
        };
    }

    formatWhen(value) {
        return value ? formatDateTime(deserializeDateTime(value)) : _t("never");
    }

    async openFigure(card, figure) {
        const action = await this.orm.call(card.model, "action_overview_open", [[card.id], figure]);
        await this.action.doAction(action);
    }

    async openBackend(card) {
        await this.action.doAction({
            type: "ir.actions.act_window",
            res_model: card.model,
            res_id: card.id,
            views: [[false, "form"]],
        });
    }

    async runButton(card, method) {
        const result = await this.orm.call(card.model, method, [[card.id]]);
        if (result && typeof result === "object" && result.type) {
            // A notification action, without the "close the dialog" it chains for forms.
            if (result.tag === "display_notification") {
                const { message, type, title } = result.params;
                this.notification.add(message, { type, title });
            } else {
                await this.action.doAction(result);
            }
        }
        await this.load();
    }
}

registry.category("actions").add("connector_base.overview", ConnectorOverview);
