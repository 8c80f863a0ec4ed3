/// Days since 1970-01-01 ⇄ proleptic Gregorian (year, month, day), by Howard Hinnant's `civil_from_days` and
/// `days_from_civil` algorithms: exact for every year, no Foundation, no time-zone files.
///
/// The one implementation behind ``UTCTime`` (backup names, retention), ``UTCDay`` (budget days), ``RFC3339``
/// (stored and logged timestamps) and, through them, the archives' months.
public enum CivilDate {
    /// The date of day number `days` (0 = 1970-01-01); `month` 1…12, `day` 1…31.
    public static func fromDays(_ days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }

    /// The day number of a date; `month` 1…12, `day` 1…31 (not checked against the month's length).
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
