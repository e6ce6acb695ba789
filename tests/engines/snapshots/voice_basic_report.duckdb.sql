WITH "t1" AS (
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
    "t0"."arrived_at" AS "arr",
    CASE
      WHEN "t0"."accepted_at" <= 1709636400000000
      THEN "t0"."accepted_at"
      ELSE CAST(NULL AS BIGINT)
    END AS "acc",
    CASE
      WHEN "t0"."first_response_at" <= 1709636400000000
      THEN "t0"."first_response_at"
      ELSE CAST(NULL AS BIGINT)
    END AS "fr",
    CASE
      WHEN "t0"."abandoned_at" <= 1709636400000000
      THEN "t0"."abandoned_at"
      ELSE CAST(NULL AS BIGINT)
    END AS "ab",
    CASE
      WHEN "t0"."ended_at" <= 1709636400000000
      THEN "t0"."ended_at"
      ELSE CAST(NULL AS BIGINT)
    END AS "end",
    NOT (
      LOWER("t0"."channel") IN ('email', 'social', 'sms', 'letter')
    ) AS "cont",
    NOT (
      LOWER("t0"."channel") IN ('voice', 'video', 'callback')
    ) AS "text",
    LOWER("t0"."channel") IN ('chat', 'messenger') AS "chat",
    TRUE AS "received",
    NOT (
      COALESCE("t0"."blocked", FALSE)
    ) AS "offered",
    CASE
      WHEN LOWER("t0"."channel") = 'voice'
      THEN 20.0
      WHEN LOWER("t0"."channel") = 'video'
      THEN 20.0
      WHEN LOWER("t0"."channel") = 'callback'
      THEN 20.0
      WHEN LOWER("t0"."channel") = 'chat'
      THEN 60.0
      WHEN LOWER("t0"."channel") = 'messenger'
      THEN 60.0
      WHEN LOWER("t0"."channel") = 'email'
      THEN 86400.0
      WHEN LOWER("t0"."channel") = 'social'
      THEN 3600.0
      WHEN LOWER("t0"."channel") = 'sms'
      THEN 3600.0
      WHEN LOWER("t0"."channel") = 'letter'
      THEN 86400.0
      ELSE CAST(CASE
        WHEN NOT (
          LOWER("t0"."channel") IN ('email', 'social', 'sms', 'letter')
        )
        THEN 20
        ELSE 86400
      END AS DOUBLE)
    END AS "default_threshold_s",
    NOT (
      COALESCE("t0"."blocked", FALSE)
    )
    AND (
      CASE
        WHEN "t0"."first_response_at" <= 1709636400000000
        THEN "t0"."first_response_at"
        ELSE CAST(NULL AS BIGINT)
      END IS NOT NULL
    ) AS "answered",
    NOT (
      COALESCE("t0"."blocked", FALSE)
    )
    AND NOT (
      NOT (
        COALESCE("t0"."blocked", FALSE)
      )
      AND (
        CASE
          WHEN "t0"."first_response_at" <= 1709636400000000
          THEN "t0"."first_response_at"
          ELSE CAST(NULL AS BIGINT)
        END IS NOT NULL
      )
    )
    AND (
      CASE
        WHEN "t0"."abandoned_at" <= 1709636400000000
        THEN "t0"."abandoned_at"
        ELSE CAST(NULL AS BIGINT)
      END IS NOT NULL
    ) AS "abandoned"
  FROM "contacts" AS "t0"
  WHERE
    "t0"."arrived_at" <= 1709636400000000
)
SELECT
  "t10"."queue",
  "t10"."__key",
  COALESCE("t10"."offered__num", 0) AS "offered",
  COALESCE("t10"."answered__num", 0) AS "answered",
  CASE
    WHEN COALESCE("t10"."service_level__den", 0) = 0
    THEN NULL
    ELSE COALESCE("t10"."service_level__num", 0) / NULLIF("t10"."service_level__den", 0)
  END AS "service_level",
  CASE
    WHEN COALESCE("t10"."asa__den", 0) = 0
    THEN NULL
    ELSE COALESCE("t10"."asa__num", 0) / NULLIF("t10"."asa__den", 0)
  END AS "asa",
  CASE
    WHEN COALESCE("t10"."abandon_rate__den", 0) = 0
    THEN NULL
    ELSE COALESCE("t10"."abandon_rate__num", 0) / NULLIF("t10"."abandon_rate__den", 0)
  END AS "abandon_rate",
  CASE
    WHEN COALESCE("t10"."aht__den", 0) = 0
    THEN NULL
    ELSE COALESCE("t10"."aht__num", 0) / NULLIF("t10"."aht__den", 0)
  END AS "aht",
  CASE
    WHEN COALESCE("t10"."transfer_rate__den", 0) = 0
    THEN NULL
    ELSE COALESCE("t10"."transfer_rate__num", 0) / NULLIF("t10"."transfer_rate__den", 0)
  END AS "transfer_rate"
FROM (
  SELECT
    "t9"."queue",
    "t9"."__key",
    SUM("t9"."offered__num") AS "offered__num",
    SUM("t9"."answered__num") AS "answered__num",
    SUM("t9"."service_level__num") AS "service_level__num",
    SUM("t9"."service_level__den") AS "service_level__den",
    SUM("t9"."asa__num") AS "asa__num",
    SUM("t9"."asa__den") AS "asa__den",
    SUM("t9"."abandon_rate__num") AS "abandon_rate__num",
    SUM("t9"."abandon_rate__den") AS "abandon_rate__den",
    SUM("t9"."aht__num") AS "aht__num",
    SUM("t9"."aht__den") AS "aht__den",
    SUM("t9"."transfer_rate__num") AS "transfer_rate__num",
    SUM("t9"."transfer_rate__den") AS "transfer_rate__den"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t7"."queue",
        "t7"."__key",
        "t7"."offered__num",
        "t7"."answered__num",
        "t7"."service_level__num",
        "t7"."service_level__den",
        "t7"."asa__num",
        "t7"."asa__den",
        "t7"."abandon_rate__num",
        "t7"."abandon_rate__den",
        CAST(NULL AS DOUBLE) AS "aht__num",
        CAST(NULL AS DOUBLE) AS "aht__den",
        CAST(NULL AS DOUBLE) AS "transfer_rate__num",
        CAST(NULL AS DOUBLE) AS "transfer_rate__den"
      FROM (
        SELECT
          "t3"."queue",
          "t3"."__key",
          SUM(CAST(CAST(COALESCE("t3"."offered", FALSE) AS BIGINT) AS DOUBLE)) AS "offered__num",
          SUM(CAST(CAST(COALESCE("t3"."answered", FALSE) AS BIGINT) AS DOUBLE)) AS "answered__num",
          SUM(
            CAST(CAST(COALESCE(
              CASE
                WHEN "t3"."cont"
                THEN "t3"."answered" AND (
                  "t3"."wait_s" <= 20.0
                )
                ELSE "t3"."answered" AND (
                  "t3"."wait_s" <= 20.0
                )
              END,
              FALSE
            ) AS BIGINT) AS DOUBLE)
          ) AS "service_level__num",
          SUM(
            CAST(CAST(COALESCE(
              CASE
                WHEN "t3"."cont"
                THEN "t3"."offered"
                AND NOT (
                  "t3"."abandoned" AND (
                    "t3"."wait_s" < 5.0
                  )
                )
                AND NOT (
                  "t3"."unresolved"
                  AND (
                    NOT (
                      "t3"."cont"
                    ) OR (
                      "t3"."end" IS NULL
                    )
                  )
                  AND (
                    "t3"."age_s" <= 20.0
                  )
                )
                ELSE (
                  "t3"."answered" AND (
                    "t3"."wait_s" <= 20.0
                  )
                )
                OR (
                  "t3"."answered" AND (
                    "t3"."wait_s" > 20.0
                  )
                )
                OR (
                  "t3"."unresolved" AND (
                    "t3"."age_s" > 20.0
                  )
                )
              END,
              FALSE
            ) AS BIGINT) AS DOUBLE)
          ) AS "service_level__den",
          SUM(
            CASE
              WHEN COALESCE("t3"."answered", FALSE)
              THEN "t3"."wait_s"
              ELSE CAST(NULL AS DOUBLE)
            END
          ) AS "asa__num",
          SUM(CAST(CAST(COALESCE("t3"."answered", FALSE) AS BIGINT) AS DOUBLE)) AS "asa__den",
          SUM(
            CAST(CASE
              WHEN "t3"."cont"
              THEN CAST(COALESCE(
                "t3"."abandoned" AND NOT (
                  "t3"."abandoned" AND (
                    "t3"."wait_s" < 5.0
                  )
                ),
                FALSE
              ) AS BIGINT)
              ELSE CAST(NULL AS BIGINT)
            END AS DOUBLE)
          ) AS "abandon_rate__num",
          SUM(
            CAST(CASE
              WHEN "t3"."cont"
              THEN CAST(COALESCE(
                "t3"."offered" AND NOT (
                  "t3"."abandoned" AND (
                    "t3"."wait_s" < 5.0
                  )
                ),
                FALSE
              ) AS BIGINT)
              ELSE CAST(NULL AS BIGINT)
            END AS DOUBLE)
          ) AS "abandon_rate__den"
        FROM (
          SELECT
            "t2"."contact_id",
            "t2"."parent_id",
            "t2"."channel",
            "t2"."direction",
            "t2"."queue",
            "t2"."site",
            "t2"."tenant",
            "t2"."customer_id",
            "t2"."topic",
            "t2"."arrived_at",
            "t2"."blocked",
            "t2"."accepted_at",
            "t2"."first_response_at",
            "t2"."abandoned_at",
            "t2"."ended_at",
            "t2"."agent_id",
            "t2"."hold_seconds",
            "t2"."acw_seconds",
            "t2"."handle_seconds",
            "t2"."transferred",
            "t2"."resolved",
            "t2"."outcome",
            "t2"."arr",
            "t2"."acc",
            "t2"."fr",
            "t2"."ab",
            "t2"."end",
            "t2"."cont",
            "t2"."text",
            "t2"."chat",
            "t2"."received",
            "t2"."offered",
            "t2"."default_threshold_s",
            "t2"."answered",
            "t2"."abandoned",
            CASE
              WHEN "t2"."answered"
              THEN CAST("t2"."fr" - "t2"."arr" AS DOUBLE) / 1000000.0
              WHEN "t2"."abandoned"
              THEN CAST("t2"."ab" - "t2"."arr" AS DOUBLE) / 1000000.0
              ELSE CAST(NULL AS DOUBLE)
            END AS "wait_s",
            CASE
              WHEN "t2"."offered" AND (
                "t2"."acc" IS NOT NULL
              )
              THEN CAST("t2"."acc" - "t2"."arr" AS DOUBLE) / 1000000.0
              ELSE NULL
            END AS "queue_s",
            CASE
              WHEN "t2"."answered" AND (
                "t2"."acc" IS NOT NULL
              )
              THEN CAST("t2"."fr" - "t2"."acc" AS DOUBLE) / 1000000.0
              ELSE NULL
            END AS "pickup_s",
            CAST(1709636400000000 - "t2"."arr" AS DOUBLE) / 1000000.0 AS "age_s",
            "t2"."offered" AND NOT (
              "t2"."answered"
            ) AND NOT (
              "t2"."abandoned"
            ) AS "unresolved",
            "t2"."answered" AND (
              "t2"."end" IS NOT NULL
            ) AS "handled",
            CASE
              WHEN "t2"."answered" AND (
                "t2"."end" IS NOT NULL
              )
              THEN COALESCE(
                "t2"."handle_seconds",
                (
                  CAST("t2"."end" - COALESCE("t2"."acc", "t2"."fr") AS DOUBLE) / 1000000.0
                ) + COALESCE("t2"."acw_seconds", 0.0)
              )
              ELSE NULL
            END AS "handle_s",
            CASE
              WHEN "t2"."answered" AND (
                "t2"."end" IS NOT NULL
              )
              THEN (
                CAST("t2"."end" - COALESCE("t2"."acc", "t2"."fr") AS DOUBLE) / 1000000.0
              ) - COALESCE("t2"."hold_seconds", 0.0)
              ELSE NULL
            END AS "talk_s",
            CASE
              WHEN "t2"."answered" AND (
                "t2"."end" IS NOT NULL
              )
              THEN COALESCE("t2"."hold_seconds", 0.0)
              ELSE NULL
            END AS "hold_s",
            CASE
              WHEN "t2"."answered" AND (
                "t2"."end" IS NOT NULL
              )
              THEN COALESCE("t2"."acw_seconds", 0.0)
              ELSE NULL
            END AS "acw_s",
            "t2"."answered"
            AND (
              "t2"."end" IS NOT NULL
            )
            AND COALESCE("t2"."transferred", FALSE) AS "is_transferred",
            "t2"."arr" AS "__ts",
            (
              CAST(FLOOR((
                "t2"."arr" + 7200000000
              ) / (
                1800000000
              )) AS BIGINT) * 1800000000
            ) - 7200000000 AS "__key"
          FROM "t1" AS "t2"
          WHERE
            "t2"."arr" IS NOT NULL
        ) AS "t3"
        GROUP BY
          1,
          2
      ) AS "t7"
    ) AS "t8"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t5"."queue",
        "t5"."__key",
        CAST(NULL AS DOUBLE) AS "offered__num",
        CAST(NULL AS DOUBLE) AS "answered__num",
        CAST(NULL AS DOUBLE) AS "service_level__num",
        CAST(NULL AS DOUBLE) AS "service_level__den",
        CAST(NULL AS DOUBLE) AS "asa__num",
        CAST(NULL AS DOUBLE) AS "asa__den",
        CAST(NULL AS DOUBLE) AS "abandon_rate__num",
        CAST(NULL AS DOUBLE) AS "abandon_rate__den",
        "t5"."aht__num",
        "t5"."aht__den",
        "t5"."transfer_rate__num",
        "t5"."transfer_rate__den"
      FROM (
        SELECT
          "t4"."queue",
          "t4"."__key",
          SUM("t4"."handle_s") AS "aht__num",
          SUM(CAST(CAST(COALESCE("t4"."handled", FALSE) AS BIGINT) AS DOUBLE)) AS "aht__den",
          SUM(CAST(CAST(COALESCE("t4"."is_transferred", FALSE) AS BIGINT) AS DOUBLE)) AS "transfer_rate__num",
          SUM(CAST(CAST(COALESCE("t4"."handled", FALSE) AS BIGINT) AS DOUBLE)) AS "transfer_rate__den"
        FROM (
          SELECT
            "t2"."contact_id",
            "t2"."parent_id",
            "t2"."channel",
            "t2"."direction",
            "t2"."queue",
            "t2"."site",
            "t2"."tenant",
            "t2"."customer_id",
            "t2"."topic",
            "t2"."arrived_at",
            "t2"."blocked",
            "t2"."accepted_at",
            "t2"."first_response_at",
            "t2"."abandoned_at",
            "t2"."ended_at",
            "t2"."agent_id",
            "t2"."hold_seconds",
            "t2"."acw_seconds",
            "t2"."handle_seconds",
            "t2"."transferred",
            "t2"."resolved",
            "t2"."outcome",
            "t2"."arr",
            "t2"."acc",
            "t2"."fr",
            "t2"."ab",
            "t2"."end",
            "t2"."cont",
            "t2"."text",
            "t2"."chat",
            "t2"."received",
            "t2"."offered",
            "t2"."default_threshold_s",
            "t2"."answered",
            "t2"."abandoned",
            CASE
              WHEN "t2"."answered"
              THEN CAST("t2"."fr" - "t2"."arr" AS DOUBLE) / 1000000.0
              WHEN "t2"."abandoned"
              THEN CAST("t2"."ab" - "t2"."arr" AS DOUBLE) / 1000000.0
              ELSE CAST(NULL AS DOUBLE)
            END AS "wait_s",
            CASE
              WHEN "t2"."offered" AND (
                "t2"."acc" IS NOT NULL
              )
              THEN CAST("t2"."acc" - "t2"."arr" AS DOUBLE) / 1000000.0
              ELSE NULL
            END AS "queue_s",
            CASE
              WHEN "t2"."answered" AND (
                "t2"."acc" IS NOT NULL
              )
              THEN CAST("t2"."fr" - "t2"."acc" AS DOUBLE) / 1000000.0
              ELSE NULL
            END AS "pickup_s",
            CAST(1709636400000000 - "t2"."arr" AS DOUBLE) / 1000000.0 AS "age_s",
            "t2"."offered" AND NOT (
              "t2"."answered"
            ) AND NOT (
              "t2"."abandoned"
            ) AS "unresolved",
            "t2"."answered" AND (
              "t2"."end" IS NOT NULL
            ) AS "handled",
            CASE
              WHEN "t2"."answered" AND (
                "t2"."end" IS NOT NULL
              )
              THEN COALESCE(
                "t2"."handle_seconds",
                (
                  CAST("t2"."end" - COALESCE("t2"."acc", "t2"."fr") AS DOUBLE) / 1000000.0
                ) + COALESCE("t2"."acw_seconds", 0.0)
              )
              ELSE NULL
            END AS "handle_s",
            CASE
              WHEN "t2"."answered" AND (
                "t2"."end" IS NOT NULL
              )
              THEN (
                CAST("t2"."end" - COALESCE("t2"."acc", "t2"."fr") AS DOUBLE) / 1000000.0
              ) - COALESCE("t2"."hold_seconds", 0.0)
              ELSE NULL
            END AS "talk_s",
            CASE
              WHEN "t2"."answered" AND (
                "t2"."end" IS NOT NULL
              )
              THEN COALESCE("t2"."hold_seconds", 0.0)
              ELSE NULL
            END AS "hold_s",
            CASE
              WHEN "t2"."answered" AND (
                "t2"."end" IS NOT NULL
              )
              THEN COALESCE("t2"."acw_seconds", 0.0)
              ELSE NULL
            END AS "acw_s",
            "t2"."answered"
            AND (
              "t2"."end" IS NOT NULL
            )
            AND COALESCE("t2"."transferred", FALSE) AS "is_transferred",
            CASE
              WHEN "t2"."answered" AND (
                "t2"."end" IS NOT NULL
              )
              THEN "t2"."end"
              ELSE NULL
            END AS "__ts",
            (
              CAST(FLOOR(
                (
                  CASE
                    WHEN "t2"."answered" AND (
                      "t2"."end" IS NOT NULL
                    )
                    THEN "t2"."end"
                    ELSE NULL
                  END + 7200000000
                ) / (
                  1800000000
                )
              ) AS BIGINT) * 1800000000
            ) - 7200000000 AS "__key"
          FROM "t1" AS "t2"
          WHERE
            CASE
              WHEN "t2"."answered" AND (
                "t2"."end" IS NOT NULL
              )
              THEN "t2"."end"
              ELSE NULL
            END IS NOT NULL
        ) AS "t4"
        GROUP BY
          1,
          2
      ) AS "t5"
    ) AS "t6"
  ) AS "t9"
  GROUP BY
    1,
    2
) AS "t10"
