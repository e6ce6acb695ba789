SELECT
  "t6"."queue",
  "t6"."__key",
  COALESCE("t6"."offered__num", 0) AS "offered",
  COALESCE("t6"."answered__num", 0) AS "answered",
  CASE
    WHEN COALESCE("t6"."service_level__den", 0) = 0
    THEN NULL
    ELSE COALESCE("t6"."service_level__num", 0) / NULLIF("t6"."service_level__den", 0)
  END AS "service_level",
  CASE
    WHEN COALESCE("t6"."asa__den", 0) = 0
    THEN NULL
    ELSE COALESCE("t6"."asa__num", 0) / NULLIF("t6"."asa__den", 0)
  END AS "asa",
  CASE
    WHEN COALESCE("t6"."abandon_rate__den", 0) = 0
    THEN NULL
    ELSE COALESCE("t6"."abandon_rate__num", 0) / NULLIF("t6"."abandon_rate__den", 0)
  END AS "abandon_rate",
  CASE
    WHEN COALESCE("t6"."aht__den", 0) = 0
    THEN NULL
    ELSE COALESCE("t6"."aht__num", 0) / NULLIF("t6"."aht__den", 0)
  END AS "aht",
  CASE
    WHEN COALESCE("t6"."transfer_rate__den", 0) = 0
    THEN NULL
    ELSE COALESCE("t6"."transfer_rate__num", 0) / NULLIF("t6"."transfer_rate__den", 0)
  END AS "transfer_rate"
FROM (
  SELECT
    "t5"."queue",
    "t5"."__key",
    SUM("t5"."offered__num") AS "offered__num",
    SUM("t5"."answered__num") AS "answered__num",
    SUM("t5"."service_level__num") AS "service_level__num",
    SUM("t5"."service_level__den") AS "service_level__den",
    SUM("t5"."asa__num") AS "asa__num",
    SUM("t5"."asa__den") AS "asa__den",
    SUM("t5"."abandon_rate__num") AS "abandon_rate__num",
    SUM("t5"."abandon_rate__den") AS "abandon_rate__den",
    SUM("t5"."aht__num") AS "aht__num",
    SUM("t5"."aht__den") AS "aht__den",
    SUM("t5"."transfer_rate__num") AS "transfer_rate__num",
    SUM("t5"."transfer_rate__den") AS "transfer_rate__den"
  FROM (
    SELECT
      "t4"."queue",
      CASE
        WHEN "t4"."__booking" = 0
        THEN "t4"."__key_arrival"
        WHEN "t4"."__booking" = 1
        THEN "t4"."__key_end"
        ELSE NULL
      END AS "__key",
      CASE
        WHEN "t4"."__booking" = 0
        THEN "t4"."offered__num"
        ELSE CAST(NULL AS DOUBLE)
      END AS "offered__num",
      CASE
        WHEN "t4"."__booking" = 0
        THEN "t4"."answered__num"
        ELSE CAST(NULL AS DOUBLE)
      END AS "answered__num",
      CASE
        WHEN "t4"."__booking" = 0
        THEN "t4"."service_level__num"
        ELSE CAST(NULL AS DOUBLE)
      END AS "service_level__num",
      CASE
        WHEN "t4"."__booking" = 0
        THEN "t4"."service_level__den"
        ELSE CAST(NULL AS DOUBLE)
      END AS "service_level__den",
      CASE WHEN "t4"."__booking" = 0 THEN "t4"."asa__num" ELSE CAST(NULL AS DOUBLE) END AS "asa__num",
      CASE WHEN "t4"."__booking" = 0 THEN "t4"."asa__den" ELSE CAST(NULL AS DOUBLE) END AS "asa__den",
      CASE
        WHEN "t4"."__booking" = 0
        THEN "t4"."abandon_rate__num"
        ELSE CAST(NULL AS DOUBLE)
      END AS "abandon_rate__num",
      CASE
        WHEN "t4"."__booking" = 0
        THEN "t4"."abandon_rate__den"
        ELSE CAST(NULL AS DOUBLE)
      END AS "abandon_rate__den",
      CASE WHEN "t4"."__booking" = 1 THEN "t4"."aht__num" ELSE CAST(NULL AS DOUBLE) END AS "aht__num",
      CASE WHEN "t4"."__booking" = 1 THEN "t4"."aht__den" ELSE CAST(NULL AS DOUBLE) END AS "aht__den",
      CASE
        WHEN "t4"."__booking" = 1
        THEN "t4"."transfer_rate__num"
        ELSE CAST(NULL AS DOUBLE)
      END AS "transfer_rate__num",
      CASE
        WHEN "t4"."__booking" = 1
        THEN "t4"."transfer_rate__den"
        ELSE CAST(NULL AS DOUBLE)
      END AS "transfer_rate__den"
    FROM (
      SELECT
        "t3"."queue",
        "t3"."__key_arrival",
        "t3"."__key_end",
        "t3"."offered__num",
        "t3"."answered__num",
        "t3"."service_level__num",
        "t3"."service_level__den",
        "t3"."asa__num",
        "t3"."asa__den",
        "t3"."abandon_rate__num",
        "t3"."abandon_rate__den",
        "t3"."aht__num",
        "t3"."aht__den",
        "t3"."transfer_rate__num",
        "t3"."transfer_rate__den",
        UNNEST([0, 1]) AS "__booking"
      FROM (
        SELECT
          "t2"."queue",
          "t2"."__key_arrival",
          "t2"."__key_end",
          CAST(COUNT_IF("t2"."offered") AS DOUBLE) AS "offered__num",
          CAST(COUNT_IF("t2"."answered") AS DOUBLE) AS "answered__num",
          CAST(COUNT_IF("t2"."answered" AND (
            "t2"."wait_s" <= 20.0
          )) AS DOUBLE) AS "service_level__num",
          CAST(COUNT_IF("t2"."offered" AND NOT (
            "t2"."abandoned" AND (
              "t2"."wait_s" < 5.0
            )
          )) AS DOUBLE) AS "service_level__den",
          SUM(CASE WHEN "t2"."answered" THEN "t2"."wait_s" ELSE CAST(NULL AS DOUBLE) END) AS "asa__num",
          CAST(COUNT_IF("t2"."answered") AS DOUBLE) AS "asa__den",
          CAST(COUNT_IF(
            "t2"."abandoned" AND NOT (
              "t2"."abandoned" AND (
                "t2"."wait_s" < 5.0
              )
            )
          ) AS DOUBLE) AS "abandon_rate__num",
          CAST(COUNT_IF("t2"."offered" AND NOT (
            "t2"."abandoned" AND (
              "t2"."wait_s" < 5.0
            )
          )) AS DOUBLE) AS "abandon_rate__den",
          SUM("t2"."handle_s") AS "aht__num",
          CAST(COUNT_IF("t2"."handled") AS DOUBLE) AS "aht__den",
          CAST(COUNT_IF("t2"."is_transferred") AS DOUBLE) AS "transfer_rate__num",
          CAST(COUNT_IF("t2"."handled") AS DOUBLE) AS "transfer_rate__den"
        FROM (
          SELECT
            "t1"."contact_id",
            "t1"."parent_id",
            "t1"."channel",
            "t1"."direction",
            "t1"."queue",
            "t1"."site",
            "t1"."tenant",
            "t1"."customer_id",
            "t1"."topic",
            "t1"."arrived_at",
            "t1"."blocked",
            "t1"."accepted_at",
            "t1"."first_response_at",
            "t1"."abandoned_at",
            "t1"."ended_at",
            "t1"."agent_id",
            "t1"."hold_seconds",
            "t1"."acw_seconds",
            "t1"."handle_seconds",
            "t1"."transferred",
            "t1"."resolved",
            "t1"."outcome",
            "t1"."resolved_at",
            "t1"."recording_uri",
            "t1"."arr",
            "t1"."acc",
            "t1"."fr",
            "t1"."ab",
            "t1"."end",
            "t1"."res",
            "t1"."cont",
            "t1"."text",
            "t1"."chat",
            "t1"."received",
            "t1"."offered",
            "t1"."default_threshold_s",
            "t1"."answered",
            "t1"."abandoned",
            CASE
              WHEN "t1"."answered"
              THEN CAST("t1"."fr" - "t1"."arr" AS DOUBLE) / 1000000.0
              WHEN "t1"."abandoned"
              THEN CAST("t1"."ab" - "t1"."arr" AS DOUBLE) / 1000000.0
              ELSE CAST(NULL AS DOUBLE)
            END AS "wait_s",
            CASE
              WHEN "t1"."offered" AND (
                "t1"."acc" IS NOT NULL
              )
              THEN CAST("t1"."acc" - "t1"."arr" AS DOUBLE) / 1000000.0
              ELSE NULL
            END AS "queue_s",
            CASE
              WHEN "t1"."answered" AND (
                "t1"."acc" IS NOT NULL
              )
              THEN CAST("t1"."fr" - "t1"."acc" AS DOUBLE) / 1000000.0
              ELSE NULL
            END AS "pickup_s",
            1709636400000000 AS "as_of_us",
            1709635920000000 AS "latest_arrival_us",
            CAST(1709636400000000 - "t1"."arr" AS DOUBLE) / 1000000.0 AS "age_s",
            "t1"."offered" AND NOT (
              "t1"."answered"
            ) AND NOT (
              "t1"."abandoned"
            ) AS "unresolved",
            "t1"."answered" AND (
              "t1"."end" IS NOT NULL
            ) AS "handled",
            CASE
              WHEN "t1"."answered" AND (
                "t1"."end" IS NOT NULL
              )
              THEN (
                CAST("t1"."end" - COALESCE("t1"."acc", "t1"."fr") AS DOUBLE) / 1000000.0
              ) + COALESCE("t1"."acw_seconds", 0.0)
              ELSE NULL
            END AS "handle_s",
            CASE
              WHEN "t1"."answered" AND (
                "t1"."end" IS NOT NULL
              )
              THEN (
                CAST("t1"."end" - COALESCE("t1"."acc", "t1"."fr") AS DOUBLE) / 1000000.0
              ) - COALESCE("t1"."hold_seconds", 0.0)
              ELSE NULL
            END AS "talk_s",
            CASE
              WHEN "t1"."answered" AND (
                "t1"."end" IS NOT NULL
              )
              THEN COALESCE("t1"."hold_seconds", 0.0)
              ELSE NULL
            END AS "hold_s",
            CASE
              WHEN "t1"."answered" AND (
                "t1"."end" IS NOT NULL
              )
              THEN COALESCE("t1"."acw_seconds", 0.0)
              ELSE NULL
            END AS "acw_s",
            "t1"."answered"
            AND (
              "t1"."end" IS NOT NULL
            )
            AND COALESCE("t1"."transferred", FALSE) AS "is_transferred",
            CAST("t1"."res" - "t1"."arr" AS DOUBLE) / 1000000.0 AS "resolution_s",
            (
              (
                "t1"."arr" + 7200000000
              ) // (
                1800000000
              ) * 1800000000
            ) - 7200000000 AS "__key_arrival",
            CASE
              WHEN "t1"."answered" AND (
                "t1"."end" IS NOT NULL
              )
              THEN (
                (
                  "t1"."end" + 7200000000
                ) // (
                  1800000000
                ) * 1800000000
              ) - 7200000000
              ELSE CAST(NULL AS BIGINT)
            END AS "__key_end"
          FROM (
            SELECT
              "t0"."contact_id",
              "t0"."parent_id",
              "t0"."channel",
              "t0"."direction",
              "t0"."queue",
              "t0"."site",
              "t0"."tenant",
              "t0"."customer_id",
              "t0"."topic",
              "t0"."arrived_at",
              COALESCE("t0"."blocked", FALSE) AS "blocked",
              "t0"."accepted_at",
              "t0"."first_response_at",
              "t0"."abandoned_at",
              "t0"."ended_at",
              "t0"."agent_id",
              "t0"."hold_seconds",
              "t0"."acw_seconds",
              "t0"."handle_seconds",
              "t0"."transferred",
              "t0"."resolved",
              "t0"."outcome",
              "t0"."resolved_at",
              "t0"."recording_uri",
              "t0"."arrived_at" AS "arr",
              "t0"."accepted_at" AS "acc",
              "t0"."first_response_at" AS "fr",
              "t0"."abandoned_at" AS "ab",
              "t0"."ended_at" AS "end",
              "t0"."resolved_at" AS "res",
              TRUE AS "cont",
              FALSE AS "text",
              FALSE AS "chat",
              TRUE AS "received",
              NOT (
                COALESCE("t0"."blocked", FALSE)
              ) AS "offered",
              20.0 AS "default_threshold_s",
              NOT (
                COALESCE("t0"."blocked", FALSE)
              )
              AND (
                "t0"."first_response_at" IS NOT NULL
              ) AS "answered",
              NOT (
                COALESCE("t0"."blocked", FALSE)
              )
              AND NOT (
                NOT (
                  COALESCE("t0"."blocked", FALSE)
                )
                AND (
                  "t0"."first_response_at" IS NOT NULL
                )
              )
              AND (
                "t0"."abandoned_at" IS NOT NULL
              ) AS "abandoned"
            FROM "contacts" AS "t0"
          ) AS "t1"
          WHERE
            (
              "t1"."arr" IS NOT NULL
            )
            OR (
              "t1"."answered" AND (
                "t1"."end" IS NOT NULL
              ) AND (
                "t1"."end" IS NOT NULL
              )
            )
        ) AS "t2"
        GROUP BY
          1,
          2,
          3
      ) AS "t3"
    ) AS "t4"
    WHERE
      CASE
        WHEN "t4"."__booking" = 0
        THEN "t4"."__key_arrival"
        WHEN "t4"."__booking" = 1
        THEN "t4"."__key_end"
        ELSE NULL
      END IS NOT NULL
  ) AS "t5"
  GROUP BY
    1,
    2
) AS "t6"
