import { stepUtils } from "@web_tour/tour_service/tour_utils";

/** A selector suffix matching an element that contains every one of ``texts``. */
function containingAll(texts) {
    return texts.map((text) => `:contains('${text}')`).join("");
}

/**
 * Steps every connector's tours share: reach a backend from Settings › Connectors
 * through the overview, and check what a sync left on the overview, the job list and
 * a record's sync history. Each connector's tour adds its own linking steps.
 */
export const connectorTourSteps = {
    openBackendFromSettings(backendName) {
        return [
            {
                content: "Open the Connectors tab of the settings",
                trigger: ".settings_tab .tab[data-key='connector_base']",
                run: "click",
            },
            {
                content: "Open the Connectors overview",
                trigger: "button:contains(Open the Connectors overview)",
                run: "click",
            },
            {
                content: `Open the backend ${backendName} from its card`,
                trigger: `.o_connector_overview_card[data-backend='${backendName}'] .o_connector_overview_name`,
                run: "click",
            },
            {
                content: "The backend form is open",
                trigger: `.o_form_view button[name=action_view_jobs]`,
            },
        ];
    },

    /** From Settings to the backend's form, test its connection, open its link wizard. */
    openLinkWizardFromSettings(backendName, connectedText, wizardButton) {
        return [
            ...this.openBackendFromSettings(backendName),
            ...this.testConnection(connectedText),
            {
                content: "Open the link wizard",
                trigger: `.o_form_view button[name=${wizardButton}]`,
                run: "click",
            },
        ];
    },

    /** Back from a linked container to the backend's form, and queue a sync there. */
    syncNowFromBackend(backendName, queuedTrigger) {
        return [
            {
                content: "Back to the backend",
                trigger: `.o_breadcrumb a:contains(${backendName})`,
                run: "click",
            },
            {
                content: "Sync now",
                trigger: ".o_form_view button[name=action_sync_now]",
                run: "click",
            },
            {
                content: "Sync queued",
                trigger: queuedTrigger,
            },
        ];
    },

    /** Link the ticked row ``rowText`` of the link wizard and open its import preview. */
    linkAndPreview(rowText) {
        return [
            {
                content: "Link it and preview its import",
                trigger: `.modal .o_data_row:contains('${rowText}') td[name='selected'] input:checked`,
                run: "click .modal button[name='action_link_and_preview']",
            },
        ];
    },

    /**
     * In the import preview: a problem row holding every text of ``problemTexts`` is
     * listed, a first row holding every text of ``rowTexts`` is shown; then import and
     * see the preview close.
     */
    importFromPreview(problemTexts, rowTexts) {
        return [
            {
                content: "A value the import would lose is listed, with its reason",
                trigger: `.modal div[name='problem_ids'] .o_data_row${containingAll(problemTexts)}`,
            },
            {
                content: "Look at the first rows",
                trigger: ".modal .nav-link:contains('First rows')",
                run: "click",
            },
            {
                content: "Rows appear as the tasks they would become",
                trigger: `.modal div[name='row_ids'] .o_data_row${containingAll(rowTexts)}`,
            },
            {
                content: "Import",
                trigger: ".modal button[name='action_import']",
                run: "click",
            },
            {
                content: "The import is queued and the preview closed",
                trigger: ".o_notification:contains('queued')",
            },
            {
                trigger: "body:not(:has(.modal))",
            },
        ];
    },

    testConnection(expected) {
        return [
            {
                content: "Test the connection",
                trigger: ".o_form_view button[name=action_test_connection]",
                run: "click",
            },
            {
                content: "The platform answered",
                trigger: `.o_notification:contains(${expected})`,
            },
        ];
    },

    /** Tick the checkbox ``field`` of the dialog's list row holding ``text``. */
    tickListRow(text, field) {
        const cell = `.modal .o_data_row:contains(${text}) td[name=${field}]`;
        return [
            {
                content: `Select the row ${text}`,
                trigger: cell,
                run: "click",
            },
            {
                content: `Tick ${text}`,
                trigger: `${cell} input:enabled`,
                run() {
                    if (!this.anchor.checked) {
                        this.anchor.click();
                    }
                },
            },
            {
                content: `${text} is ticked`,
                trigger: `${cell} input:checked`,
            },
        ];
    },

    checkOverviewAndJobs(backendName, jobName) {
        return [
            {
                content: "The backend's card says it is connected",
                trigger: `.o_connector_overview_card[data-backend='${backendName}'] .o_connector_overview_state:contains(Connected)`,
            },
            {
                content: "The jobs per hour graph is drawn below the cards",
                trigger: ".o_connector_overview_graph .o_graph_renderer canvas",
            },
            {
                content: "Open the finished jobs of the backend",
                trigger: `.o_connector_overview_card[data-backend='${backendName}'] a[data-figure=done]`,
                run: "click",
            },
            {
                content: "The finished jobs are named in words",
                trigger: `.o_list_view .o_data_row:contains(${jobName})`,
            },
        ];
    },

    openSyncHistory(projectName, taskName, platform) {
        return [
            stepUtils.showAppsMenuItem(),
            {
                content: "Open the Project app",
                trigger: ".o_app[data-menu-xmlid='project.menu_main_pm']",
                run: "click",
            },
            {
                content: `Open the project ${projectName}`,
                trigger: `.o_kanban_record:contains(${projectName})`,
                run: "click",
            },
            {
                content: `Open the synced task ${taskName}`,
                trigger: `.o_kanban_record:contains(${taskName})`,
                run: "click",
            },
            ...connectorTourSteps.openRecordSyncHistory(platform),
        ];
    },

    /** From the form of a bound record: its sync history, bound to `platform`, then closed.
     * A form with many smart buttons (a partner with Sales and CRM) keeps the button under More. */
    openRecordSyncHistory(platform) {
        return [
            {
                content: "Show every smart button of the form",
                trigger: ".o_form_view .o-form-buttonbox",
                run() {
                    const inBox = ".o_form_view .o-form-buttonbox button[name=action_view_connector_history]";
                    if (!document.querySelector(inBox)) {
                        document.querySelector(".o_form_view .o-form-buttonbox .o_button_more").click();
                    }
                },
            },
            {
                content: "Open the record's sync history",
                trigger: "button[name=action_view_connector_history]",
                run: "click",
            },
            {
                content: `The record is bound to ${platform}`,
                trigger: `.modal .o_data_row:contains(${platform})`,
            },
            {
                content: "Close the sync history",
                trigger: ".modal button:contains(Close)",
                run: "click",
            },
            {
                content: "The sync history is closed",
                trigger: "body:not(:has(.modal))",
            },
        ];
    },
};
