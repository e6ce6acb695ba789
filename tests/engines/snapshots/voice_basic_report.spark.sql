SELECT
  `t6`.`queue`,
  `t6`.`__key`,
  COALESCE(`t6`.`offered__num`, 0) AS `offered`,
  COALESCE(`t6`.`answered__num`, 0) AS `answered`,
  IF(
    COALESCE(`t6`.`service_level__den`, 0) = 0,
    NULL,
    COALESCE(`t6`.`service_level__num`, 0) / NULLIF(`t6`.`service_level__den`, 0)
  ) AS `service_level`,
  IF(
    COALESCE(`t6`.`asa__den`, 0) = 0,
    NULL,
    COALESCE(`t6`.`asa__num`, 0) / NULLIF(`t6`.`asa__den`, 0)
  ) AS `asa`,
  IF(
    COALESCE(`t6`.`abandon_rate__den`, 0) = 0,
    NULL,
    COALESCE(`t6`.`abandon_rate__num`, 0) / NULLIF(`t6`.`abandon_rate__den`, 0)
  ) AS `abandon_rate`,
  IF(
    COALESCE(`t6`.`aht__den`, 0) = 0,
    NULL,
    COALESCE(`t6`.`aht__num`, 0) / NULLIF(`t6`.`aht__den`, 0)
  ) AS `aht`,
  IF(
    COALESCE(`t6`.`transfer_rate__den`, 0) = 0,
    NULL,
    COALESCE(`t6`.`transfer_rate__num`, 0) / NULLIF(`t6`.`transfer_rate__den`, 0)
  ) AS `transfer_rate`
FROM (
  SELECT
    `t5`.`queue`,
    `t5`.`__key`,
    SUM(`t5`.`offered__num`) AS `offered__num`,
    SUM(`t5`.`answered__num`) AS `answered__num`,
    SUM(`t5`.`service_level__num`) AS `service_level__num`,
    SUM(`t5`.`service_level__den`) AS `service_level__den`,
    SUM(`t5`.`asa__num`) AS `asa__num`,
    SUM(`t5`.`asa__den`) AS `asa__den`,
    SUM(`t5`.`abandon_rate__num`) AS `abandon_rate__num`,
    SUM(`t5`.`abandon_rate__den`) AS `abandon_rate__den`,
    SUM(`t5`.`aht__num`) AS `aht__num`,
    SUM(`t5`.`aht__den`) AS `aht__den`,
    SUM(`t5`.`transfer_rate__num`) AS `transfer_rate__num`,
    SUM(`t5`.`transfer_rate__den`) AS `transfer_rate__den`
  FROM (
    SELECT
      `t4`.`queue`,
      CASE
        WHEN `t4`.`__booking` = 0
        THEN `t4`.`__key_arrival`
        WHEN `t4`.`__booking` = 1
        THEN `t4`.`__key_end`
        ELSE NULL
      END AS `__key`,
      IF(`t4`.`__booking` = 0, `t4`.`offered__num`, CAST(NULL AS DOUBLE)) AS `offered__num`,
      IF(`t4`.`__booking` = 0, `t4`.`answered__num`, CAST(NULL AS DOUBLE)) AS `answered__num`,
      IF(`t4`.`__booking` = 0, `t4`.`service_level__num`, CAST(NULL AS DOUBLE)) AS `service_level__num`,
      IF(`t4`.`__booking` = 0, `t4`.`service_level__den`, CAST(NULL AS DOUBLE)) AS `service_level__den`,
      IF(`t4`.`__booking` = 0, `t4`.`asa__num`, CAST(NULL AS DOUBLE)) AS `asa__num`,
      IF(`t4`.`__booking` = 0, `t4`.`asa__den`, CAST(NULL AS DOUBLE)) AS `asa__den`,
      IF(`t4`.`__booking` = 0, `t4`.`abandon_rate__num`, CAST(NULL AS DOUBLE)) AS `abandon_rate__num`,
      IF(`t4`.`__booking` = 0, `t4`.`abandon_rate__den`, CAST(NULL AS DOUBLE)) AS `abandon_rate__den`,
      IF(`t4`.`__booking` = 1, `t4`.`aht__num`, CAST(NULL AS DOUBLE)) AS `aht__num`,
      IF(`t4`.`__booking` = 1, `t4`.`aht__den`, CAST(NULL AS DOUBLE)) AS `aht__den`,
      IF(`t4`.`__booking` = 1, `t4`.`transfer_rate__num`, CAST(NULL AS DOUBLE)) AS `transfer_rate__num`,
      IF(`t4`.`__booking` = 1, `t4`.`transfer_rate__den`, CAST(NULL AS DOUBLE)) AS `transfer_rate__den`
    FROM (
      SELECT
        `t3`.`queue`,
        `t3`.`__key_arrival`,
        `t3`.`__key_end`,
        `t3`.`offered__num`,
        `t3`.`answered__num`,
        `t3`.`service_level__num`,
        `t3`.`service_level__den`,
        `t3`.`asa__num`,
        `t3`.`asa__den`,
        `t3`.`abandon_rate__num`,
        `t3`.`abandon_rate__den`,
        `t3`.`aht__num`,
        `t3`.`aht__den`,
        `t3`.`transfer_rate__num`,
        `t3`.`transfer_rate__den`,
        EXPLODE(ARRAY(0, 1)) AS `__booking`
      FROM (
        SELECT
          `t2`.`queue`,
          `t2`.`__key_arrival`,
          `t2`.`__key_end`,
          CAST(SUM(CAST(`t2`.`offered` AS INT)) AS DOUBLE) AS `offered__num`,
          CAST(SUM(CAST(`t2`.`answered` AS INT)) AS DOUBLE) AS `answered__num`,
          CAST(SUM(CAST(`t2`.`answered` AND (
            `t2`.`wait_s` <= 20.0
          ) AS INT)) AS DOUBLE) AS `service_level__num`,
          CAST(SUM(
            CAST(`t2`.`offered` AND NOT (
              `t2`.`abandoned` AND (
                `t2`.`wait_s` < 5.0
              )
            ) AS INT)
          ) AS DOUBLE) AS `service_level__den`,
          SUM(IF(`t2`.`answered`, `t2`.`wait_s`, CAST(NULL AS DOUBLE))) AS `asa__num`,
          CAST(SUM(CAST(`t2`.`answered` AS INT)) AS DOUBLE) AS `asa__den`,
          CAST(SUM(
            CAST(`t2`.`abandoned` AND NOT (
              `t2`.`abandoned` AND (
                `t2`.`wait_s` < 5.0
              )
            ) AS INT)
          ) AS DOUBLE) AS `abandon_rate__num`,
          CAST(SUM(
            CAST(`t2`.`offered` AND NOT (
              `t2`.`abandoned` AND (
                `t2`.`wait_s` < 5.0
              )
            ) AS INT)
          ) AS DOUBLE) AS `abandon_rate__den`,
          SUM(`t2`.`handle_s`) AS `aht__num`,
          CAST(SUM(CAST(`t2`.`handled` AS INT)) AS DOUBLE) AS `aht__den`,
          CAST(SUM(CAST(`t2`.`is_transferred` AS INT)) AS DOUBLE) AS `transfer_rate__num`,
          CAST(SUM(CAST(`t2`.`handled` AS INT)) AS DOUBLE) AS `transfer_rate__den`
        FROM (
          SELECT
            `t1`.`contact_id`,
            `t1`.`parent_id`,
            `t1`.`channel`,
            `t1`.`direction`,
            `t1`.`queue`,
            `t1`.`site`,
            `t1`.`tenant`,
            `t1`.`customer_id`,
            `t1`.`topic`,
            `t1`.`arrived_at`,
            `t1`.`blocked`,
            `t1`.`accepted_at`,
            `t1`.`first_response_at`,
            `t1`.`abandoned_at`,
            `t1`.`ended_at`,
            `t1`.`agent_id`,
            `t1`.`hold_seconds`,
            `t1`.`acw_seconds`,
            `t1`.`handle_seconds`,
            `t1`.`transferred`,
            `t1`.`resolved`,
            `t1`.`outcome`,
            `t1`.`resolved_at`,
            `t1`.`recording_uri`,
            `t1`.`arr`,
            `t1`.`acc`,
            `t1`.`fr`,
            `t1`.`ab`,
            `t1`.`end`,
            `t1`.`res`,
            `t1`.`cont`,
            `t1`.`text`,
            `t1`.`chat`,
            `t1`.`received`,
            `t1`.`offered`,
            `t1`.`default_threshold_s`,
            `t1`.`answered`,
            `t1`.`abandoned`,
            CASE
              WHEN `t1`.`answered`
              THEN CAST(`t1`.`fr` - `t1`.`arr` AS DOUBLE) / 1000000.0
              WHEN `t1`.`abandoned`
              THEN CAST(`t1`.`ab` - `t1`.`arr` AS DOUBLE) / 1000000.0
              ELSE CAST(NULL AS DOUBLE)
            END AS `wait_s`,
            IF(
              `t1`.`offered` AND (
                `t1`.`acc` IS NOT NULL
              ),
              CAST(`t1`.`acc` - `t1`.`arr` AS DOUBLE) / 1000000.0,
              NULL
            ) AS `queue_s`,
            IF(
              `t1`.`answered` AND (
                `t1`.`acc` IS NOT NULL
              ),
              CAST(`t1`.`fr` - `t1`.`acc` AS DOUBLE) / 1000000.0,
              NULL
            ) AS `pickup_s`,
            1709636400000000 AS `as_of_us`,
            1709635920000000 AS `latest_arrival_us`,
            CAST(1709636400000000 - `t1`.`arr` AS DOUBLE) / 1000000.0 AS `age_s`,
            `t1`.`offered` AND NOT (
              `t1`.`answered`
            ) AND NOT (
              `t1`.`abandoned`
            ) AS `unresolved`,
            `t1`.`answered` AND (
              `t1`.`end` IS NOT NULL
            ) AS `handled`,
            IF(
              `t1`.`answered` AND (
                `t1`.`end` IS NOT NULL
              ),
              (
                CAST(`t1`.`end` - COALESCE(`t1`.`acc`, `t1`.`fr`) AS DOUBLE) / 1000000.0
              ) + COALESCE(`t1`.`acw_seconds`, 0.0),
              NULL
            ) AS `handle_s`,
            IF(
              `t1`.`answered` AND (
                `t1`.`end` IS NOT NULL
              ),
              (
                CAST(`t1`.`end` - COALESCE(`t1`.`acc`, `t1`.`fr`) AS DOUBLE) / 1000000.0
              ) - COALESCE(`t1`.`hold_seconds`, 0.0),
              NULL
            ) AS `talk_s`,
            IF(
              `t1`.`answered` AND (
                `t1`.`end` IS NOT NULL
              ),
              COALESCE(`t1`.`hold_seconds`, 0.0),
              NULL
            ) AS `hold_s`,
            IF(
              `t1`.`answered` AND (
                `t1`.`end` IS NOT NULL
              ),
              COALESCE(`t1`.`acw_seconds`, 0.0),
              NULL
            ) AS `acw_s`,
            `t1`.`answered`
            AND (
              `t1`.`end` IS NOT NULL
            )
            AND COALESCE(`t1`.`transferred`, FALSE) AS `is_transferred`,
            CAST(`t1`.`res` - `t1`.`arr` AS DOUBLE) / 1000000.0 AS `resolution_s`,
            (
              CAST(FLOOR((
                `t1`.`arr` + 7200000000
              ) / (
                1800000000
              )) AS BIGINT) * 1800000000
            ) - 7200000000 AS `__key_arrival`,
            IF(
              `t1`.`answered` AND (
                `t1`.`end` IS NOT NULL
              ),
              (
                CAST(FLOOR((
                  `t1`.`end` + 7200000000
                ) / (
                  1800000000
                )) AS BIGINT) * 1800000000
              ) - 7200000000,
              CAST(NULL AS BIGINT)
            ) AS `__key_end`
          FROM (
            SELECT
              `t0`.`contact_id`,
              `t0`.`parent_id`,
              `t0`.`channel`,
              `t0`.`direction`,
              `t0`.`queue`,
              `t0`.`site`,
              `t0`.`tenant`,
              `t0`.`customer_id`,
              `t0`.`topic`,
              `t0`.`arrived_at`,
              COALESCE(`t0`.`blocked`, FALSE) AS `blocked`,
              `t0`.`accepted_at`,
              `t0`.`first_response_at`,
              `t0`.`abandoned_at`,
              `t0`.`ended_at`,
              `t0`.`agent_id`,
              `t0`.`hold_seconds`,
              `t0`.`acw_seconds`,
              `t0`.`handle_seconds`,
              `t0`.`transferred`,
              `t0`.`resolved`,
              `t0`.`outcome`,
              `t0`.`resolved_at`,
              `t0`.`recording_uri`,
              `t0`.`arrived_at` AS `arr`,
              `t0`.`accepted_at` AS `acc`,
              `t0`.`first_response_at` AS `fr`,
              `t0`.`abandoned_at` AS `ab`,
              `t0`.`ended_at` AS `end`,
              `t0`.`resolved_at` AS `res`,
              TRUE AS `cont`,
              FALSE AS `text`,
              FALSE AS `chat`,
              TRUE AS `received`,
              NOT (
                COALESCE(`t0`.`blocked`, FALSE)
              ) AS `offered`,
              20.0 AS `default_threshold_s`,
              NOT (
                COALESCE(`t0`.`blocked`, FALSE)
              )
              AND (
                `t0`.`first_response_at` IS NOT NULL
              ) AS `answered`,
              NOT (
                COALESCE(`t0`.`blocked`, FALSE)
              )
              AND NOT (
                NOT (
                  COALESCE(`t0`.`blocked`, FALSE)
                )
                AND (
                  `t0`.`first_response_at` IS NOT NULL
                )
              )
              AND (
                `t0`.`abandoned_at` IS NOT NULL
              ) AS `abandoned`
            FROM `contacts` AS `t0`
          ) AS `t1`
          WHERE
            (
              `t1`.`arr` IS NOT NULL
            )
            OR (
              `t1`.`answered` AND (
                `t1`.`end` IS NOT NULL
              ) AND (
                `t1`.`end` IS NOT NULL
              )
            )
        ) AS `t2`
        GROUP BY
          1,
          2,
          3
      ) AS `t3`
    ) AS `t4`
    WHERE
      CASE
        WHEN `t4`.`__booking` = 0
        THEN `t4`.`__key_arrival`
        WHEN `t4`.`__booking` = 1
        THEN `t4`.`__key_end`
        ELSE NULL
      END IS NOT NULL
  ) AS `t5`
  GROUP BY
    1,
    2
) AS `t6`
