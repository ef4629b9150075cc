import { Dimension } from "../../infra/catalog";
import { alarmsOn } from "../lib/alarms";
import { catalogRows, freshnessMetric } from "../lib/catalog";
import { stackPolicy } from "../lib/define";

export const catalogRowsAgeAlarmed = stackPolicy({
  name: "backup-catalog-rows-age-alarmed",
  description:
    "Every catalog row that publishes how old its newest backup is (backup age, or WAL archive lag) has a " +
    "CloudWatch alarm on that metric for the row: a backup that quietly stops being taken must page.",
  validate: (view, _args, report) => {
    for (const row of catalogRows()) {
      const metric = freshnessMetric(row);
      if (metric === undefined) continue;
      const search = alarmsOn(view, metric, Dimension.backupType, row.key);
      if (search.alarms.length === 0 && !search.undetermined) {
        report(
          `catalog row '${row.key}' (${row.title}) has no alarm on ${metric} with ${Dimension.backupType}=${row.key}`,
        );
      }
    }
  },
});
