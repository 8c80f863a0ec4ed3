@main struct FakeOpenRouter { static func main() {} }
